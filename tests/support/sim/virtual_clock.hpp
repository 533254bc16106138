// Simulated time: a core::Clock that moves only from one scheduled event to the next. Engines read it as they
// would the system's clock; the harness schedules their timers and the network's deliveries on it, and runs
// them in a fixed order (due time, then the order they were scheduled in), so that every run is the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"

namespace endhost::sim {

using core::Instant;
using core::Millis;
using core::WallTime;

class VirtualClock final : public core::Clock {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;  // never 0

  // Starts where core::ManualClock does, so that "never" (a default Instant) stays distinct from "now".
  explicit VirtualClock(Instant start = Instant(Millis(1'000'000)),
                        WallTime wall_start = WallTime(std::chrono::seconds(1'700'000'000)))
      : now_(start), start_(start), wall_start_(wall_start) {}

  Instant now() const override { return now_; }
  WallTime wall_now() const override {
    return wall_start_ + std::chrono::floor<std::chrono::seconds>(now_ - start_);
  }

  // Runs `task` at `when`; a time already past means "now" (time never goes backwards).
  TimerId at(Instant when, Task task);
  TimerId after(Millis delay, Task task) { return at(now_ + delay, std::move(task)); }
  // False when the timer has already run or was cancelled.
  bool cancel(TimerId id);

  // Runs the next event, moving time to it. False when nothing is scheduled.
  bool step();
  // Runs events until none is left, at most `limit` (a guard against an engine that never goes idle);
  // returns how many ran.
  std::size_t run_until_idle(std::size_t limit = 1'000'000);
  // Runs every event due at or before `t`, then moves time to `t`.
  std::size_t run_until(Instant t);
  void advance(Millis d) { run_until(now_ + d); }
  // Runs events while `more()` holds and something is scheduled.
  std::size_t run_while(const std::function<bool()>& more, std::size_t limit = 1'000'000);

  std::size_t pending() const { return queue_.size(); }
  std::optional<Instant> next_due() const;

 private:
  using Key = std::pair<Instant, TimerId>;  // the id is also the insertion sequence
  std::map<Key, Task> queue_;
  std::unordered_map<TimerId, Instant> due_;
  Instant now_;
  Instant start_;
  WallTime wall_start_;
  TimerId next_id_ = 1;
};

}  // namespace endhost::sim
