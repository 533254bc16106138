// Time for the sans-I/O engines, which never read a clock themselves (STYLE.md §1): they take instants and
// calendar times from their caller, who reads a Clock. The program's Clock is SystemClock; tests and
// simulations use ManualClock and move time by hand, which is what lets them replay timeouts, TTL expiry
// and retry schedules exactly. No Asio and no I/O here: codecs include it.
#pragma once

#include <chrono>
#include <cstdint>

namespace endhost::core {

// A clock type with no now(): only instants handed in exist. Kept apart from steady_clock so that an engine's
// instant cannot be mixed with another clock's by accident.
struct EngineClock {
  using rep = std::int64_t;
  using period = std::milli;
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::time_point<EngineClock>;
  static constexpr bool is_steady = true;
};

using Millis = std::chrono::milliseconds;
// A monotonic instant: for timeouts, RTTs, TTL expiry, retry schedules.
using Instant = EngineClock::time_point;
// Calendar time at the resolution of HTTP-date (RFC 9110 §5.6.7): for Date, Age, Expires, Last-Modified.
using WallTime = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;        // monotonic
  virtual WallTime wall_now() const = 0;  // calendar; may jump when the system's time is set
};

// The real clocks: steady_clock for instants, system_clock for calendar time.
class SystemClock final : public Clock {
 public:
  Instant now() const override {
    return Instant(std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch()));
  }
  WallTime wall_now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// Time that moves only when told to: both readings advance together.
class ManualClock final : public Clock {
 public:
  // Not zero by default, so that "never" (a default-constructed Instant) stays distinct from "now".
  explicit ManualClock(Instant start = Instant(Millis(1'000'000)),
                       WallTime wall_start = WallTime(std::chrono::seconds(1'700'000'000)))
      : now_(start), wall_base_(wall_start), start_(start) {}

  Instant now() const override { return now_; }
  WallTime wall_now() const override {
    return wall_base_ + std::chrono::floor<std::chrono::seconds>(now_ - start_);
  }

  void advance(Millis d) { now_ += d; }
  // Moves to `t` (never backwards: a monotonic clock does not).
  void advance_to(Instant t) {
    if (t > now_) now_ = t;
  }
  // The calendar is set, as an operator or NTP would; instants are not affected.
  void set_wall(WallTime t) { wall_base_ = t - std::chrono::floor<std::chrono::seconds>(now_ - start_); }

 private:
  Instant now_;
  WallTime wall_base_;
  Instant start_;
};

}  // namespace endhost::core
