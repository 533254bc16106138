// The Cache-Status response field (RFC 9211): how this cache handled the request, as one list member
// "name; hit; ttl=12" or "name; fwd=uri-miss; fwd-status=200; stored". Appended by the proxy to every
// response it sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::http::cache {

// RFC 9211 §2.2: why the request went forward.
enum class Forward : std::uint8_t {
  none,       // a hit: not forwarded
  bypass,     // the cache was configured not to handle it (CONNECT, PURGE, non-cacheable method…)
  method,     // the request method's semantics require going forward
  uri_miss,   // nothing stored for the URI
  vary_miss,  // stored responses for the URI, none matching the Vary fields
  miss,       // stored responses that could not be used (no other reason fits)
  request,    // the request asked for it (no-cache, max-age…)
  stale,      // the stored response was stale and had to be validated
  partial,    // a stored partial response (RFC 9111 §3.3) that does not hold what was asked for
};

std::string_view to_string(Forward f) noexcept;

struct CacheStatus {
  bool hit = false;                    // §2.1
  Forward fwd = Forward::none;         // §2.2
  std::optional<unsigned> fwd_status;  // §2.3: status of the response from the next hop
  std::optional<std::int64_t> ttl;     // §2.4: seconds of freshness left (negative: stale)
  bool stored = false;                 // §2.5: the forwarded response was stored
  bool collapsed = false;              // §2.6: the request was collapsed with another
  std::string_view detail;             // §2.8: free text, e.g. why not stored
};

// The two shapes of a Cache-Status: answered from the cache, or forwarded to the next hop.
inline CacheStatus cache_hit(std::int64_t ttl, std::string_view detail = {}) {
  CacheStatus s;
  s.hit = true;
  s.ttl = ttl;
  s.detail = detail;
  return s;
}
inline CacheStatus cache_forward(Forward fwd, std::optional<unsigned> fwd_status = {},
                                 std::optional<std::int64_t> ttl = {}, std::string_view detail = {}) {
  CacheStatus s;
  s.fwd = fwd;
  s.fwd_status = fwd_status;
  s.ttl = ttl;
  s.detail = detail;
  return s;
}

// Appends the list member for cache `name` (an sf-token such as "endhost", or any text, which is then
// written as an sf-string).
void append_cache_status(std::string& out, std::string_view name, const CacheStatus& status);

}  // namespace endhost::http::cache
