// Time as the resolver engine sees it: monotonic instants handed in by the caller. The session converts
// steady_clock readings, tests advance a fake clock; the engine itself never reads a clock (STYLE.md §1),
// which is what lets the unit tests replay timeouts and TTL expiry exactly.
#pragma once

#include <chrono>
#include <cstdint>

namespace endhost::dns::resolver {

// A clock type with no now(): only instants passed in exist. Kept apart from steady_clock so that an engine
// instant cannot be mixed with a wall-clock one by accident.
struct EngineClock {
  using rep = std::int64_t;
  using period = std::milli;
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::time_point<EngineClock>;
  static constexpr bool is_steady = true;
};

using Instant = EngineClock::time_point;
using Millis = std::chrono::milliseconds;

}  // namespace endhost::dns::resolver
