// Invalidation (RFC 9111 §4.4): after an unsafe request gets a non-error response, the stored responses for
// its target URI are stale, and so are those for the URIs in Location and Content-Location when they are on
// the same origin (never another origin's: that would let one site purge another's entries).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/fields.hpp"
#include "http/status.hpp"
#include "http/url.hpp"

namespace endhost::http::cache {

// RFC 9110 §9.2.1: GET, HEAD, OPTIONS and TRACE are safe; every other method, known or not, is unsafe.
bool is_safe_method(std::string_view method) noexcept;

// The cache keys (normalised URIs, see cache_key) to invalidate; empty for safe methods and error statuses.
std::vector<std::string> invalidated_keys(std::string_view method, Status status, const Url& target,
                                          FieldsView response_fields);

// The primary cache key of a target URI (RFC 9111 §2: the URI; GET and HEAD share entries): the URI in
// the normal form of RFC 9110 §4.2.3 (see Url::to_string).
inline std::string cache_key(const Url& target) {
  return target.to_string();
}

}  // namespace endhost::http::cache
