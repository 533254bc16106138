#include "ping/heartbeat_tracker.hpp"

#include <gtest/gtest.h>

namespace endhost::ping {
namespace {

using namespace std::chrono_literals;
using Kind = HeartbeatEvent::Kind;

TEST(HeartbeatTracker, ReportsNewClientThenGapsThenSilence) {
  HeartbeatTracker t(1000ms);
  auto t0 = core::Instant{} + 1h;
  auto e = t.on_heartbeat("10.0.0.1:5000", 1, t0);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Kind::NewClient);
  EXPECT_TRUE(t.on_heartbeat("10.0.0.1:5000", 2, t0 + 100ms).empty());
  e = t.on_heartbeat("10.0.0.1:5000", 6, t0 + 500ms);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Kind::Lost);
  EXPECT_EQ(e[0].first_lost, 3u);
  EXPECT_EQ(e[0].last_lost, 5u);
  e = t.on_heartbeat("10.0.0.1:5000", 4, t0 + 600ms);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Kind::Late);
  EXPECT_TRUE(t.on_tick(t0 + 1500ms).empty());
  e = t.on_tick(t0 + 1700ms);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Kind::Gone);
  EXPECT_EQ(e[0].seq, 6u);
  EXPECT_EQ(e[0].silent_for, 1100ms);
  EXPECT_EQ(t.clients(), 0u);
}

TEST(HeartbeatTracker, TracksClientsSeparately) {
  HeartbeatTracker t(1000ms);
  auto t0 = core::Instant{} + 1h;
  t.on_heartbeat("a", 1, t0);
  t.on_heartbeat("b", 10, t0);
  EXPECT_TRUE(t.on_heartbeat("a", 2, t0).empty());
  EXPECT_TRUE(t.on_heartbeat("b", 11, t0).empty());
  EXPECT_EQ(t.clients(), 2u);
}

TEST(HeartbeatTracker, ClientCountIsBounded) {
  HeartbeatTracker t(1000ms, 2);
  auto t0 = core::Instant{} + 1h;
  t.on_heartbeat("a", 1, t0);
  t.on_heartbeat("b", 1, t0);
  EXPECT_TRUE(t.on_heartbeat("c", 1, t0).empty());
  EXPECT_EQ(t.clients(), 2u);
}

}  // namespace
}  // namespace endhost::ping
