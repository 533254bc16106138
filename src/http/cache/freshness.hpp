// Freshness (RFC 9111 §4.2): how long a stored response may be reused without asking the origin (§4.2.1,
// with the heuristic of §4.2.2), and how old it is (the Age calculation of §4.2.3). Pure functions of the
// response's fields and the times of the exchange.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/cache/cache_control.hpp"
#include "http/cache/time.hpp"
#include "http/status.hpp"

namespace endhost::http::cache {

// How far a cache may guess a lifetime when the origin gave none (§4.2.2): a fraction of the time since
// Last-Modified, capped. 10% is the figure RFC 9111 gives as typical; Squid and ATS use the same.
// How this cache reads a response's freshness: the §4.2.2 heuristic, and the targeted cache-control
// fields (RFC 9213, and Surrogate-Control) that take precedence over Cache-Control for it (lower-case names,
// first wins; empty for none, as in forward mode), with its Surrogate-Control device token.
struct HeuristicPolicy {
  double fraction = 0.1;
  Duration max{24 * 3600};
  bool enabled = true;
  std::vector<std::string> targeted_fields;
  std::string surrogate_token = "endhost";
};

// Status codes that are "heuristically cacheable" (RFC 9110 §15.1): 200, 203, 204, 206, 300, 301, 308,
// 404, 405, 410, 414, 501.
bool heuristically_cacheable(Status status) noexcept;

// Status codes whose caching rules this cache implements (the must-understand test of RFC 9111 §5.2.2.3).
bool understood_status(Status status) noexcept;

struct FreshnessInputs {
  Status status = Status::ok;
  const CacheControl* cc = nullptr;  // response directives (required)
  std::optional<Time> date;          // Date, or the response time when absent (RFC 9110 §6.6.1)
  bool has_expires = false;          // an Expires field is present…
  std::optional<Time> expires;       // …and parsed (an invalid one means "already expired", §5.3)
  std::optional<Time> last_modified;
};

struct Lifetime {
  Duration value{0};
  bool heuristic = false;
  friend bool operator==(const Lifetime&, const Lifetime&) = default;
};

// §4.2.1 for a shared cache: s-maxage, else max-age, else Expires − Date, else a heuristic (§4.2.2) when the
// status allows one or the response is public. Never negative.
Lifetime freshness_lifetime(const FreshnessInputs& in, const HeuristicPolicy& policy = {});

struct AgeInputs {
  std::optional<Duration> age_value;  // the Age field (§5.1), when present and valid
  Time date_value;                    // Date, or the response time when absent
  Time request_time;                  // when the request that got this response was sent
  Time response_time;                 // when the response was received
};

// §4.2.3: corrected_initial_age = max(apparent_age, corrected_age_value), where apparent_age =
// max(0, response_time − date_value) and corrected_age_value = age_value + (response_time − request_time).
Duration corrected_initial_age(const AgeInputs& in) noexcept;

// §4.2.3: current_age = corrected_initial_age + resident_time (now − response_time; never negative).
Duration current_age(Duration corrected_initial_age, Time response_time, Time now) noexcept;

// The Age field value (§5.1): exactly one non-negative integer; nullopt otherwise (a list, a sign, a
// fraction, a parameter).
std::optional<Duration> parse_age(std::string_view value) noexcept;

// The age_value of §4.2.3 from a response's fields, as §5.1 says: the first member of a list (on one line
// or several), and none when there is no Age field or that member is not delta-seconds (the field is then
// ignored).
std::optional<Duration> age_value(const Fields& fields) noexcept;

}  // namespace endhost::http::cache
