// BurstTrim: memory goes back after most of a burst of connections has closed, and never in steady traffic.
#include "core/burst_trim.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace endhost::core {
namespace {

TEST(BurstTrim, TrimsAfterABurstEndsAHandfulOfTimes) {
  BurstTrim trim;
  for (int i = 0; i < 1000; ++i) trim.opened();
  for (int i = 0; i < 499; ++i) trim.closed();
  EXPECT_EQ(trim.trims(), 0u);  // more than half still open
  trim.closed();
  EXPECT_EQ(trim.trims(), 1u);
  for (int i = 0; i < 500; ++i) trim.closed();
  EXPECT_EQ(trim.live(), 0u);
  EXPECT_GE(trim.trims(), 3u);
  EXPECT_LE(trim.trims(), 6u);
}

TEST(BurstTrim, SteadyTrafficNeverTrims) {
  BurstTrim trim;
  for (int i = 0; i < 100; ++i) trim.opened();
  for (int i = 0; i < 100000; ++i) {  // a connection closes, another opens: the level holds
    trim.closed();
    trim.opened();
  }
  EXPECT_EQ(trim.trims(), 0u);
  // Small bursts (fewer than kMinBurst) do not trim either.
  for (std::size_t i = 0; i < BurstTrim::kMinBurst - 1; ++i) trim.closed();
  EXPECT_EQ(trim.trims(), 0u);
}

TEST(BurstTrim, ConnectionCountsItsLifetime) {
  BurstTrim trim;
  {
    std::vector<std::unique_ptr<BurstTrim::Connection>> open;
    for (int i = 0; i < 200; ++i) open.push_back(std::make_unique<BurstTrim::Connection>(trim));
    EXPECT_EQ(trim.live(), 200u);
  }
  EXPECT_EQ(trim.live(), 0u);
  EXPECT_GE(trim.trims(), 1u);
}

}  // namespace
}  // namespace endhost::core
