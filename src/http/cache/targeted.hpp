// Targeted cache-control fields (RFC 9213): CDN-Cache-Control, or a name a deployment chooses for this cache
// alone (e.g. Endhost-Cache-Control), and the older Surrogate-Control. A cache that a targeted field is for
// uses the first one of its list that is present and valid, and then ignores Cache-Control and Expires for
// its own decisions (§2.1); browsers downstream still get Cache-Control. The field is a Structured Field
// Dictionary (RFC 8941) of the Cache-Control directives (§2.2): integers for delta-seconds, bare keys for
// booleans; Surrogate-Control has its own grammar (surrogate_control.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/cache/cache_control.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

// The directives of one (combined) targeted field value; nullopt when it is not a valid Dictionary (§2.1:
// the field is then ignored). A directive of the wrong type (max-age=?1, no-store=3) is ignored; no-cache or
// private with an argument are taken unqualified (the stricter reading).
std::optional<CacheControl> parse_targeted_cache_control(std::string_view value);

// The first field of `names` (lower-case, in order of precedence) that is present and valid, its lines
// combined (RFC 9110 §5.3); nullopt when none is. `surrogate_token` is this cache's device token, for the
// Surrogate-Control directives aimed at it.
std::optional<CacheControl> targeted_cache_control(const Fields& fields,
                                                   const std::vector<std::string>& names,
                                                   std::string_view surrogate_token);
std::optional<CacheControl> targeted_cache_control(FieldsView fields, const std::vector<std::string>& names,
                                                   std::string_view surrogate_token);

// The response directives this cache follows: the targeted ones when a field of `names` is present and
// valid (`*targeted` set), else Cache-Control.
CacheControl response_cache_control(const Fields& fields, const std::vector<std::string>& names,
                                    std::string_view surrogate_token, bool* targeted = nullptr);
CacheControl response_cache_control(FieldsView fields, const std::vector<std::string>& names,
                                    std::string_view surrogate_token, bool* targeted = nullptr);

}  // namespace endhost::http::cache
