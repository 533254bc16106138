#include "http/cache/freshness.hpp"

#include <algorithm>
#include <cmath>

#include "http/field_value.hpp"

namespace endhost::http::cache {

bool heuristically_cacheable(Status status) noexcept {
  switch (to_int(status)) {
    case 200:
    case 203:
    case 204:
    case 206:
    case 300:
    case 301:
    case 308:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501:
      return true;
    default:
      return false;
  }
}

bool understood_status(Status status) noexcept {
  switch (to_int(status)) {
    case 302:
    case 303:
    case 307:
    case 451:
      return true;
    default:
      return heuristically_cacheable(status) && status != Status::partial_content;
  }
}

Lifetime freshness_lifetime(const FreshnessInputs& in, const HeuristicPolicy& policy) {
  const CacheControl& cc = *in.cc;
  // §4.2.1: an invalid freshness directive means the response is to be considered stale.
  if (cc.invalid_freshness) return {};
  // §4.2.1, first match wins; a shared cache honours s-maxage before max-age (§5.2.2.10).
  if (cc.s_maxage) return {*cc.s_maxage, false};
  if (cc.max_age) return {*cc.max_age, false};
  if (in.has_expires) {
    // §5.3: an invalid Expires (the value "0" above all) means "already expired".
    if (!in.expires || !in.date) return {};
    return {std::max(Duration(0), *in.expires - *in.date), false};
  }
  // §4.2.2: a heuristic only when nothing explicit was given and the status (or public) allows caching.
  if (!policy.enabled || !(heuristically_cacheable(in.status) || cc.public_)) return {};
  if (!in.last_modified || !in.date || *in.last_modified > *in.date) return {Duration(0), true};
  const double since = static_cast<double>((*in.date - *in.last_modified).count());
  const auto guess = Duration(static_cast<long long>(std::floor(since * policy.fraction)));
  return {std::min(guess, policy.max), true};
}

Duration corrected_initial_age(const AgeInputs& in) noexcept {
  const Duration apparent_age = std::max(Duration(0), in.response_time - in.date_value);
  const Duration response_delay = std::max(Duration(0), in.response_time - in.request_time);
  const Duration corrected_age_value = in.age_value.value_or(Duration(0)) + response_delay;
  return std::max(apparent_age, corrected_age_value);
}

Duration current_age(Duration corrected_initial_age, Time response_time, Time now) noexcept {
  const Duration resident_time = std::max(Duration(0), now - response_time);
  return corrected_initial_age + resident_time;
}

std::optional<Duration> parse_age(std::string_view value) noexcept {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return parse_delta_seconds(value);
}

std::optional<Duration> age_value(const Fields& fields) noexcept {
  // §5.1: "a cache encountering a message with a list-based Age field value SHOULD use the first member of
  // the field value, discarding subsequent ones" (one line "0, 7200", or several lines, combined), and "if
  // the field value (after discarding additional members...) is invalid ..., a cache SHOULD ignore the
  // field". Values past 2^31 saturate there (§1.2.2), so a huge Age still means stale.
  const auto value = fields.get("age");  // the first line holds the first member
  if (!value) return std::nullopt;
  ListReader list(*value);
  const auto first = list.next();
  if (!first) return std::nullopt;
  return parse_age(*first);
}

}  // namespace endhost::http::cache
