// Whether a stored response that matches a request (same URI, method and Vary values) can answer it, from
// the response's directives and the request's (RFC 9111 §4, §4.2.4, §5.2.1, §5.2.2) and the RFC 5861
// extensions. The caller handles only-if-cached (§5.2.1.7): anything but fresh/stale_ok is then a 504.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/cache/cache_control.hpp"
#include "http/cache/entry.hpp"
#include "http/cache/time.hpp"

namespace endhost::http::cache {

enum class Reuse : std::uint8_t {
  fresh,             // serve it
  stale_ok,          // stale, and the request's max-stale accepts that (§5.2.1.2): serve it
  stale_revalidate,  // stale within stale-while-revalidate (RFC 5861 §3): serve it, refresh in background
  validate,          // forward a conditional request (§4.3.1) before using it
};

struct ReuseDecision {
  Reuse action = Reuse::validate;
  Duration age{0};
  Duration ttl{0};          // lifetime − age: negative when stale
  std::string_view reason;  // why validation is needed: "stale", "request no-cache", "response no-cache"…
};

ReuseDecision decide_reuse(const EntryInfo& entry, const CacheControl& request_cc, Time now) noexcept;

// Whether an error while validating (5xx, or no answer at all) may be hidden by serving the stale response
// (RFC 5861 §4), and never when a directive forbids stale responses (RFC 9111 §4.2.4: no-cache,
// must-revalidate, proxy-revalidate, s-maxage).
bool may_serve_stale_on_error(const EntryInfo& entry, const CacheControl& request_cc, Time now) noexcept;

// Whether the stored response may answer a request when the origin could not be reached at all (connection
// refused, closed or reset without a response, no answer in time): §4.2.4 lets a disconnected cache serve
// stale without any directive allowing it, except where the response forbids it (must-revalidate,
// proxy-revalidate, s-maxage, no-cache) or the client asked for validation itself (no-cache, max-age,
// min-fresh), unless stale-if-error or max-stale allow it anyway (may_serve_stale_on_error). A 5xx from the
// origin is an answer, not a disconnection: only may_serve_stale_on_error applies to it.
bool may_serve_stale_disconnected(const EntryInfo& entry, const CacheControl& request_cc, Time now) noexcept;

// Whether any directive of the stored response forbids serving it stale (§4.2.4).
bool stale_forbidden(const CacheControl& response_cc) noexcept;

}  // namespace endhost::http::cache
