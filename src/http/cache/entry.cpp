#include "http/cache/entry.hpp"

#include "http/cache/targeted.hpp"
#include "http/date.hpp"

namespace endhost::http::cache {

namespace {

std::optional<Time> date_field(const Fields& fields, std::string_view name, Time now) {
  auto value = fields.get(name);
  if (!value) return std::nullopt;
  auto t = parse_http_date(*value, to_time_t(now));
  if (!t) return std::nullopt;
  return from_time_t(*t);
}

}  // namespace

EntryInfo analyze_response(Status status, const Fields& fields, Time request_time, Time response_time,
                           const HeuristicPolicy& policy) {
  EntryInfo e;
  e.status = status;
  e.request_time = request_time;
  e.response_time = response_time;
  e.cc = response_cache_control(fields, policy.targeted_fields, policy.surrogate_token, &e.targeted);
  e.vary = parse_vary(fields);
  // RFC 9110 §6.6.1: a recipient without a (valid) Date uses the time it received the response.
  e.date = date_field(fields, "date", response_time).value_or(response_time);
  if (auto etag = fields.get("etag")) e.etag = std::string(*etag);
  e.last_modified = date_field(fields, "last-modified", response_time);
  if (status == Status::partial_content)
    if (auto range = fields.get("content-range")) e.held = parse_content_range(*range);

  FreshnessInputs in;
  in.status = status;
  in.cc = &e.cc;
  in.date = e.date;
  // RFC 9213 §2.1: a valid targeted field replaces Cache-Control and Expires for this cache.
  in.has_expires = !e.targeted && fields.contains("expires");
  if (in.has_expires) in.expires = date_field(fields, "expires", response_time);
  in.last_modified = e.last_modified;
  e.lifetime = freshness_lifetime(in, policy);

  AgeInputs age;
  age.age_value = age_value(fields);
  age.date_value = e.date;
  age.request_time = request_time;
  age.response_time = response_time;
  e.initial_age = corrected_initial_age(age);
  return e;
}

Duration age_at(const EntryInfo& e, Time now) noexcept {
  return current_age(e.initial_age, e.response_time, now);
}

Duration ttl_at(const EntryInfo& e, Time now) noexcept {
  return e.lifetime.value - age_at(e, now);
}

bool worth_storing(const EntryInfo& e) noexcept {
  return e.lifetime.value > e.initial_age || e.has_validator() || e.cc.stale_while_revalidate ||
         e.cc.stale_if_error;
}

}  // namespace endhost::http::cache
