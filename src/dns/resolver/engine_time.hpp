// Time as the resolver engine sees it: the core's monotonic instants (core/clock.hpp), handed in by the
// caller. The session reads a core::SystemClock, tests advance a ManualClock; the engine itself never reads a
// clock (STYLE.md §1), which is what lets the unit tests replay timeouts and TTL expiry exactly.
#pragma once

#include "core/clock.hpp"

namespace endhost::dns::resolver {

using core::Instant;
using core::Millis;

}  // namespace endhost::dns::resolver
