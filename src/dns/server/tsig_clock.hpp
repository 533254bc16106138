#pragma once
// TSIG's clock for the server's sessions: seconds since 1970 (RFC 8945 §4.3.3, Time Signed), from the
// system's calendar time. The TSIG codec takes the time as an argument; this is where the sessions read it.

#include <chrono>
#include <cstdint>

#include "core/clock.hpp"

namespace endhost::dns::server {

inline std::uint64_t tsig_now() {
  return static_cast<std::uint64_t>(core::SystemClock{}.wall_now().time_since_epoch().count());
}

}  // namespace endhost::dns::server
