// Surrogate-Control (W3C Edge Architecture Specification 1.0, 2001): the older targeted field that origins
// behind Fastly, Akamai and Varnish still send to the reverse proxies in front of them. A surrogate says
// what it is in Surrogate-Capability on the requests it forwards (`endhost="Surrogate/1.0"`), and a
// directive may be aimed at one surrogate by its device token (`max-age=60;endhost`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/cache/cache_control.hpp"

namespace endhost::http::cache {

// The Surrogate-Capability value this cache adds to what it forwards (Edge Architecture §2.2).
std::string surrogate_capability(std::string_view device_token);

// The directives of a (combined) Surrogate-Control value that apply to the surrogate named `device_token`,
// as Cache-Control directives: `max-age=N[+M]` (freshness N; M more seconds of stale answers when the origin
// fails, taken as stale-if-error) and `no-store`. Directives aimed at another device are ignored; when some
// are aimed at us, only those count (a targeted directive overrides the untargeted ones). Names are
// case-insensitive; a directive with bad syntax (`max-age =1`, `max-age=1.5`) is ignored. `content` (ESI) and
// `no-store-remote` (for surrogates far from the origin; a reverse proxy is the near one) change nothing.
// nullopt when no max-age or no-store applies: the field then says nothing about caching here.
std::optional<CacheControl> parse_surrogate_control(std::string_view value, std::string_view device_token);

}  // namespace endhost::http::cache
