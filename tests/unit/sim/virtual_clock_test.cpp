// The virtual clock: timers run in due-time order, ties in the order they were scheduled, and time moves only
// to the events (or to where run_until is told).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sim/virtual_clock.hpp"

namespace endhost::sim {
namespace {

TEST(VirtualClock, TimersFireByTimeThenByInsertion) {
  VirtualClock clock;
  const Instant t0 = clock.now();
  std::vector<std::string> order;
  clock.after(Millis(30), [&] { order.push_back("c30"); });
  clock.after(Millis(10), [&] { order.push_back("a10"); });
  clock.after(Millis(20), [&] { order.push_back("b20-first"); });
  clock.after(Millis(20), [&] { order.push_back("b20-second"); });
  clock.at(t0 - Millis(5), [&] { order.push_back("past-runs-now"); });
  EXPECT_EQ(clock.pending(), 5u);
  EXPECT_EQ(clock.run_until_idle(), 5u);
  EXPECT_EQ(order, (std::vector<std::string>{"past-runs-now", "a10", "b20-first", "b20-second", "c30"}));
  EXPECT_EQ(clock.now(), t0 + Millis(30));
}

TEST(VirtualClock, TimeMovesToEachEventAsItRuns) {
  VirtualClock clock;
  const Instant t0 = clock.now();
  std::vector<Millis> seen;
  clock.after(Millis(7), [&] {
    seen.push_back(clock.now() - t0);
    clock.after(Millis(3), [&] { seen.push_back(clock.now() - t0); });  // scheduled from inside a task
  });
  clock.run_until_idle();
  EXPECT_EQ(seen, (std::vector<Millis>{Millis(7), Millis(10)}));
}

TEST(VirtualClock, CancelledTimerNeverRuns) {
  VirtualClock clock;
  bool ran = false;
  const auto id = clock.after(Millis(5), [&] { ran = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  EXPECT_EQ(clock.run_until_idle(), 0u);
  EXPECT_FALSE(ran);
}

TEST(VirtualClock, RunUntilStopsAtTheTimeAndLeavesLaterEvents) {
  VirtualClock clock;
  const Instant t0 = clock.now();
  int ran = 0;
  clock.after(Millis(10), [&] { ++ran; });
  clock.after(Millis(20), [&] { ++ran; });
  clock.after(Millis(21), [&] { ++ran; });
  EXPECT_EQ(clock.run_until(t0 + Millis(20)), 2u);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(clock.now(), t0 + Millis(20));
  ASSERT_TRUE(clock.next_due().has_value());
  EXPECT_EQ(*clock.next_due(), t0 + Millis(21));
  clock.advance(Millis(100));  // with nothing due, time still moves
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(clock.now(), t0 + Millis(120));
}

TEST(VirtualClock, RunWhileStopsWhenTheConditionFails) {
  VirtualClock clock;
  int ran = 0;
  for (int i = 1; i <= 5; ++i) clock.after(Millis(i), [&] { ++ran; });
  clock.run_while([&] { return ran < 3; });
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(clock.pending(), 2u);
}

TEST(VirtualClock, WallTimeFollowsTheMonotonicTime) {
  VirtualClock clock;
  const WallTime w0 = clock.wall_now();
  clock.advance(Millis(2'500));
  EXPECT_EQ(clock.wall_now() - w0, std::chrono::seconds(2));
}

TEST(VirtualClock, RunUntilIdleHasAGuardAgainstEnginesThatNeverStop) {
  VirtualClock clock;
  std::function<void()> again = [&] { clock.after(Millis(1), again); };
  clock.after(Millis(1), again);
  EXPECT_EQ(clock.run_until_idle(100), 100u);
  EXPECT_EQ(clock.pending(), 1u);
}

}  // namespace
}  // namespace endhost::sim
