#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace endhost::core {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock c;
  const Instant t0 = c.now();
  const WallTime w0 = c.wall_now();
  EXPECT_NE(t0, Instant{}) << "a default Instant means never, not now";
  EXPECT_EQ(c.now(), t0);
  c.advance(1500ms);
  EXPECT_EQ(c.now() - t0, 1500ms);
  EXPECT_EQ(c.wall_now() - w0, 1s) << "calendar time follows, at its resolution";
  c.advance_to(t0);  // never backwards
  EXPECT_EQ(c.now() - t0, 1500ms);
  c.advance_to(t0 + 10s);
  EXPECT_EQ(c.now() - t0, 10s);
}

TEST(ManualClock, SettingTheCalendarLeavesInstantsAlone) {
  ManualClock c;
  const Instant t0 = c.now();
  c.advance(2s);
  c.set_wall(WallTime(100s));
  EXPECT_EQ(c.wall_now(), WallTime(100s));
  EXPECT_EQ(c.now() - t0, 2s);
  c.advance(3s);
  EXPECT_EQ(c.wall_now(), WallTime(103s));
}

TEST(SystemClock, IsMonotonicAndNearTheSystemsTime) {
  const SystemClock c;
  const Instant a = c.now();
  std::this_thread::sleep_for(5ms);
  const Instant b = c.now();
  EXPECT_GE(b - a, 5ms);
  const auto system = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_LE(std::chrono::abs(c.wall_now() - system), 1s);
}

TEST(Clock, EnginesTakeTheInterface) {
  // What an engine sees: a Clock&, which the program fills with SystemClock and a test with ManualClock.
  auto elapsed = [](const Clock& clock, Instant since) { return clock.now() - since; };
  ManualClock manual;
  const Instant start = manual.now();
  manual.advance(250ms);
  EXPECT_EQ(elapsed(manual, start), 250ms);
}

}  // namespace
}  // namespace endhost::core
