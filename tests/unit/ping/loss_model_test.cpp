#include "ping/loss_model.hpp"

#include <gtest/gtest.h>

namespace endhost::ping {
namespace {

int drops(LossModel m, int n) {
  int d = 0;
  for (int i = 0; i < n; ++i) d += m.decide().drop ? 1 : 0;
  return d;
}

TEST(LossModel, SameSeedSameLosses) {
  LossSettings s{0.3, {}, {}};
  LossModel a(s, 42), b(s, 42);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.decide().drop, b.decide().drop);
}

TEST(LossModel, DropsAboutTheRequestedFraction) {
  int d = drops(LossModel({0.3, {}, {}}, 7), 10'000);
  EXPECT_GT(d, 2'800);
  EXPECT_LT(d, 3'200);
}

TEST(LossModel, ZeroAndOneAreExact) {
  EXPECT_EQ(drops(LossModel({0.0, {}, {}}, 1), 1000), 0);
  EXPECT_EQ(drops(LossModel({1.0, {}, {}}, 1), 1000), 1000);
}

TEST(LossModel, DelayStaysWithinJitterAndNeverNegative) {
  LossModel m({0.0, std::chrono::microseconds(1000), std::chrono::microseconds(400)}, 3);
  for (int i = 0; i < 1000; ++i) {
    auto d = m.decide().delay.count();
    EXPECT_GE(d, 600);
    EXPECT_LE(d, 1400);
  }
  LossModel wide({0.0, std::chrono::microseconds(100), std::chrono::microseconds(1000)}, 3);
  for (int i = 0; i < 1000; ++i) EXPECT_GE(wide.decide().delay.count(), 0);
}

TEST(LossModel, DelaySettingsDoNotChangeWhichPacketsDrop) {
  LossModel a({0.3, {}, {}}, 9), b({0.3, std::chrono::microseconds(5000), std::chrono::microseconds(100)}, 9);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.decide().drop, b.decide().drop);
}

}  // namespace
}  // namespace endhost::ping
