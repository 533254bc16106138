// RFC 9111 §4.2: freshness lifetime (§4.2.1), heuristic freshness (§4.2.2) and the Age calculation (§4.2.3).
#include <gtest/gtest.h>

#include "http/cache/entry.hpp"
#include "http/cache/freshness.hpp"
#include "http/date.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {

const Time t0 = from_time_t(1'700'000'000);

std::string date(Time t) {
  return to_http_date(to_time_t(t));
}

Lifetime lifetime(std::string_view cache_control, std::optional<Time> expires = {},
                  std::optional<Time> last_modified = {}, Status status = Status::ok,
                  bool expires_field = false) {
  CacheControl cc;
  add_cache_control(cc, cache_control);
  FreshnessInputs in;
  in.status = status;
  in.cc = &cc;
  in.date = t0;
  in.has_expires = expires.has_value() || expires_field;
  in.expires = expires;
  in.last_modified = last_modified;
  return freshness_lifetime(in);
}

}  // namespace

TEST(Freshness, Rfc9111_4_2_1_SMaxAgeBeatsMaxAgeInASharedCache) {
  EXPECT_EQ(lifetime("max-age=10, s-maxage=100").value, 100s);
}

TEST(Freshness, Rfc9111_4_2_1_MaxAgeBeatsExpires) {
  EXPECT_EQ(lifetime("max-age=10", t0 + 1000s).value, 10s);
}

TEST(Freshness, Rfc9111_4_2_1_ExpiresMinusDate) {
  EXPECT_EQ(lifetime("", t0 + 300s).value, 300s);
  EXPECT_EQ(lifetime("", t0 - 300s).value, 0s);  // in the past: stale, never negative
}

TEST(Freshness, Rfc9111_5_3_InvalidExpiresMeansAlreadyExpired) {
  auto l = lifetime("", std::nullopt, t0 - 1000s * 1000, Status::ok, /*expires_field=*/true);
  EXPECT_EQ(l.value, 0s);
  EXPECT_FALSE(l.heuristic);
}

TEST(Freshness, Rfc9111_4_2_2_HeuristicIsAFractionOfTimeSinceLastModified) {
  auto l = lifetime("", std::nullopt, t0 - 1000s);
  EXPECT_TRUE(l.heuristic);
  EXPECT_EQ(l.value, 100s);  // 10%
}

TEST(Freshness, Rfc9111_4_2_2_HeuristicIsCapped) {
  auto l = lifetime("", std::nullopt, t0 - 3650 * 24h);
  EXPECT_EQ(l.value, Duration(24h));
}

TEST(Freshness, Rfc9111_4_2_2_NoHeuristicForStatusesNotHeuristicallyCacheable) {
  EXPECT_EQ(lifetime("", std::nullopt, t0 - 1000s, Status::found).value, 0s);
  EXPECT_EQ(lifetime("", std::nullopt, t0 - 1000s, Status::internal_server_error).value, 0s);
  // …unless the response is marked public.
  EXPECT_EQ(lifetime("public", std::nullopt, t0 - 1000s, Status::found).value, 100s);
  EXPECT_EQ(lifetime("", std::nullopt, t0 - 1000s, Status::not_found).value, 100s);
}

TEST(Freshness, Rfc9111_4_2_1_InvalidMaxAgeIsStaleEvenWithExpires) {
  EXPECT_EQ(lifetime("max-age=soon", t0 + 1000s).value, 0s);
}

TEST(Freshness, Rfc9110_15_1_HeuristicallyCacheableCodes) {
  for (int code : {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
    EXPECT_TRUE(heuristically_cacheable(static_cast<Status>(code))) << code;
  for (int code : {201, 302, 303, 307, 400, 403, 500, 502, 503})
    EXPECT_FALSE(heuristically_cacheable(static_cast<Status>(code))) << code;
}

TEST(Age, Rfc9111_4_2_3_ApparentAgeFromDate) {
  // The origin's Date is 10 s before we received it: the response was already 10 s old.
  AgeInputs in{std::nullopt, t0 - 10s, t0 - 1s, t0};
  EXPECT_EQ(corrected_initial_age(in), 10s);
}

TEST(Age, Rfc9111_4_2_3_AgeFieldPlusResponseDelay) {
  // Age 30 from an upstream cache, and the exchange took 2 s: corrected_age_value = 32.
  AgeInputs in{30s, t0, t0 - 2s, t0};
  EXPECT_EQ(corrected_initial_age(in), 32s);
}

TEST(Age, Rfc9111_4_2_3_ClockSkewNeverMakesAgeNegative) {
  // Date in the future (origin clock ahead): apparent_age is clamped to 0.
  AgeInputs in{std::nullopt, t0 + 100s, t0, t0};
  EXPECT_EQ(corrected_initial_age(in), 0s);
}

TEST(Age, Rfc9111_4_2_3_CurrentAgeAddsResidentTime) {
  EXPECT_EQ(current_age(5s, t0, t0 + 60s), 65s);
  EXPECT_EQ(current_age(5s, t0, t0 - 60s), 5s);  // a clock stepped back: resident time 0
}

TEST(Entry, Rfc9111_5_3_ExpiresInAnyCaseIsHonoured) {
  // RFC 9110 §5.6.7 asks for robustness: "jan", "SUN" and "gmt" are read, not taken for an invalid date.
  for (const char* expires :
       {"sun, 14 nov 2100 22:13:20 gmt", "SUN, 14 NOV 2100 22:13:20 GMT", "Sun, 14 nOv 2100 22:13:20 Gmt"}) {
    const Fields f{{"Date", date(t0)}, {"Expires", expires}};
    const EntryInfo e = analyze_response(Status::ok, f, t0, t0, {});
    EXPECT_GT(ttl_at(e, t0), 3600s) << expires;
  }
}

TEST(Age, Rfc9111_5_1_AgeField) {
  EXPECT_EQ(parse_age("42"), 42s);
  EXPECT_EQ(parse_age(" 42 "), 42s);
  EXPECT_FALSE(parse_age("42, 7"));  // Age is one delta-seconds, not a list
  EXPECT_FALSE(parse_age("-3"));
  EXPECT_FALSE(parse_age("3.0"));
  EXPECT_FALSE(parse_age("7200;foo=bar"));
  EXPECT_FALSE(parse_age("abc"));
  EXPECT_FALSE(parse_age(""));
}

TEST(Age, Rfc9111_5_1_TheFirstMemberCountsAndAnInvalidAgeIsIgnored) {
  EXPECT_FALSE(age_value(Fields{{"Date", "x"}}));
  EXPECT_EQ(age_value(Fields{{"Age", "30"}}), 30s);
  // A list, on one line or several: the first member.
  EXPECT_EQ(age_value(Fields{{"Age", "0, 7200"}}), 0s);
  EXPECT_EQ(age_value(Fields{{"Age", "7200, 0"}}), 7200s);
  EXPECT_EQ(age_value(Fields{{"Age", "0"}, {"Age", "7200"}}), 0s);
  EXPECT_EQ(age_value(Fields{{"Age", "7200"}, {"Age", "0"}}), 7200s);
  // Past 2^31: saturated, so stale under any lifetime.
  EXPECT_EQ(age_value(Fields{{"Age", "2147483649"}}), delta_seconds_infinity);
  // Not delta-seconds: the field is ignored, and the response is as fresh as its lifetime says.
  for (const Fields& f : {Fields{{"Age", "abc"}}, Fields{{"Age", "-7200"}}, Fields{{"Age", "7200.0"}},
                          Fields{{"Age", "7200;foo=111"}}, Fields{{"Age", ""}}}) {
    EXPECT_FALSE(age_value(f)) << f[0].value;
    Fields with = f;
    with.add("Date", date(t0));
    with.add("Cache-Control", "max-age=3600");
    const EntryInfo e = analyze_response(Status::ok, with, t0, t0, {});
    EXPECT_EQ(ttl_at(e, t0), 3600s) << f[0].value;
  }
  const Fields old{{"Date", date(t0)}, {"Cache-Control", "max-age=3600"}, {"Age", "7200, 0"}};
  EXPECT_LE(ttl_at(analyze_response(Status::ok, old, t0, t0, {}), t0), 0s);
}

TEST(Entry, Rfc9111_3_3_APartialResponseRecordsTheRangeItHolds) {
  const Fields f{{"Date", date(t0)}, {"Cache-Control", "max-age=60"}, {"Content-Range", "bytes 4-9/10"}};
  EXPECT_EQ(analyze_response(Status::partial_content, f, t0, t0, {}).held, (HeldRange{{4, 9}, 10}));
  EXPECT_FALSE(analyze_response(Status::ok, f, t0, t0, {}).held);  // only a 206 holds a part
  const Fields unknown{{"Content-Range", "bytes 4-9/*"}};
  EXPECT_FALSE(analyze_response(Status::partial_content, unknown, t0, t0, {}).held);
}

TEST(Entry, Rfc9111_4_2_AnalyzeComputesLifetimeAndInitialAge) {
  Fields f{{"Date", date(t0 - 5s)},
           {"Cache-Control", "max-age=60"},
           {"Age", "10"},
           {"ETag", "\"v1\""},
           {"Last-Modified", date(t0 - 3600s)}};
  auto e = analyze_response(Status::ok, f, t0 - 1s, t0);
  EXPECT_EQ(e.lifetime.value, 60s);
  EXPECT_EQ(e.initial_age, 11s);  // max(apparent 5, 10 + 1 delay)
  EXPECT_EQ(age_at(e, t0 + 20s), 31s);
  EXPECT_EQ(ttl_at(e, t0 + 20s), 29s);
  EXPECT_EQ(ttl_at(e, t0 + 100s), -51s);
  EXPECT_EQ(e.etag, "\"v1\"");
  EXPECT_EQ(e.last_modified, t0 - 3600s);
  EXPECT_TRUE(worth_storing(e));
}

TEST(Entry, Rfc9110_6_6_1_MissingDateUsesResponseTime) {
  Fields f{{"Cache-Control", "max-age=60"}};
  auto e = analyze_response(Status::ok, f, t0, t0);
  EXPECT_EQ(e.date, t0);
  EXPECT_EQ(e.initial_age, 0s);
}

TEST(Entry, ResponseWithoutFreshnessOrValidatorIsNotWorthStoring) {
  Fields f{{"Content-Type", "text/plain"}};
  auto e = analyze_response(Status::ok, f, t0, t0);
  EXPECT_FALSE(worth_storing(e));
  f.add("ETag", "\"x\"");
  EXPECT_TRUE(worth_storing(analyze_response(Status::ok, f, t0, t0)));
}
