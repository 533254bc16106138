// Time in the link emulator. Serialization times are fractions of a millisecond (1500 bytes at 100 Mb/s take
// 120 µs), so the emulator counts in nanoseconds rather than in core::Instant's milliseconds. It is still an
// EngineClock instant: a core::Instant converts to it implicitly, and nothing here reads a clock. The caller
// (the lab's TUN loop) reads steady_clock and converts with from_steady(); to_steady() turns next_event()
// back into a deadline for its timer.
#pragma once

#include <chrono>

#include "core/clock.hpp"

namespace endhost::netem {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<core::EngineClock, Duration>;

inline TimePoint from_steady(std::chrono::steady_clock::time_point t) {
  return TimePoint(std::chrono::duration_cast<Duration>(t.time_since_epoch()));
}

inline std::chrono::steady_clock::time_point to_steady(TimePoint t) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

}  // namespace endhost::netem
