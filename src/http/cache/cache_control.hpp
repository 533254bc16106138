// The Cache-Control field (RFC 9111 §5.2) parsed into the directives a shared cache acts on, for requests
// (§5.2.1) and responses (§5.2.2), plus the RFC 5861 extensions stale-while-revalidate and stale-if-error.
// Unknown directives are ignored (§5.2.3). Parsing never fails: a malformed directive is skipped, and a
// malformed argument of a freshness directive marks the response `invalid_freshness` (treated as stale,
// §4.2.1).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/cache/time.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

// More field names than this in no-cache="…" or private="…" and the directive is taken unqualified: the
// stricter reading, and a bound on what one header can make us store.
inline constexpr std::size_t max_qualified_fields = 32;

struct CacheControl {
  // Both request and response.
  std::optional<Duration> max_age;         // §5.2.1.1, §5.2.2.1
  bool no_cache = false;                   // §5.2.1.4, §5.2.2.4 (unqualified)
  bool no_store = false;                   // §5.2.1.5, §5.2.2.5
  bool no_transform = false;               // §5.2.1.6, §5.2.2.6
  std::optional<Duration> stale_if_error;  // RFC 5861 §4 (request and response)

  // Request only.
  std::optional<Duration> max_stale;  // §5.2.1.2 with a value
  bool max_stale_any = false;         // §5.2.1.2 without a value: any staleness is acceptable
  std::optional<Duration> min_fresh;  // §5.2.1.3
  bool only_if_cached = false;        // §5.2.1.7

  // Response only.
  std::optional<Duration> s_maxage;                // §5.2.2.10
  bool must_revalidate = false;                    // §5.2.2.2
  bool proxy_revalidate = false;                   // §5.2.2.8
  bool must_understand = false;                    // §5.2.2.3
  bool public_ = false;                            // §5.2.2.9
  bool private_ = false;                           // §5.2.2.7 (unqualified)
  bool immutable = false;                          // RFC 8246
  std::vector<std::string> no_cache_fields;        // no-cache="a, b": lower-case field names
  std::vector<std::string> private_fields;         // private="a, b": lower-case field names
  std::optional<Duration> stale_while_revalidate;  // RFC 5861 §3

  // A freshness directive (max-age, s-maxage) had an argument that is not delta-seconds. §4.2.1: such a
  // response is to be considered stale.
  bool invalid_freshness = false;

  bool empty() const noexcept;
  friend bool operator==(const CacheControl&, const CacheControl&) = default;
};

// Adds the directives of one Cache-Control field line. When a directive repeats, the first occurrence wins
// (§4.2.1 allows "the first occurrence should be used").
void add_cache_control(CacheControl& cc, std::string_view value);

// All Cache-Control lines of a head, in order (a list may be split over several lines, RFC 9110 §5.3).
CacheControl parse_cache_control(FieldsView fields);
CacheControl parse_cache_control(const Fields& fields);

// delta-seconds = 1*DIGIT (§1.2.2); values past 2^31 saturate to 2^31. nullopt when not all digits.
std::optional<Duration> parse_delta_seconds(std::string_view text) noexcept;

}  // namespace endhost::http::cache
