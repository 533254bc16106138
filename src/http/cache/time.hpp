// The two kinds of time the cache computes with, kept apart by type: an instant (the core's WallTime: seconds
// since the Unix epoch, the resolution of HTTP-date) and a duration in seconds (delta-seconds, RFC 9111
// §1.2.2). The cache has no clock: callers pass `now`, read from a core::Clock.
#pragma once

#include <chrono>
#include <ctime>

#include "core/clock.hpp"

namespace endhost::http::cache {

using Time = core::WallTime;
using Duration = std::chrono::seconds;

constexpr Time from_time_t(std::time_t t) noexcept {
  return Time(Duration(t));
}
constexpr std::time_t to_time_t(Time t) noexcept {
  return static_cast<std::time_t>(t.time_since_epoch().count());
}

// RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31, "infinity" for HTTP caches.
inline constexpr Duration delta_seconds_infinity{2147483648LL};

}  // namespace endhost::http::cache
