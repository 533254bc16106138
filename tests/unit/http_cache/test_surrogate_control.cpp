// Surrogate-Control (W3C Edge Architecture 1.0) as a targeted field: its grammar, device targeting, and its
// place after CDN-Cache-Control in a reverse proxy's list.
#include <gtest/gtest.h>

#include "http/cache/entry.hpp"
#include "http/cache/surrogate_control.hpp"
#include "http/cache/targeted.hpp"
#include "http/date.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {
const Time t0 = from_time_t(1'700'000'000);
const std::vector<std::string> reverse_names{"cdn-cache-control", "surrogate-control"};
}  // namespace

TEST(SurrogateControl, MaxAgeAndNoStore) {
  auto cc = parse_surrogate_control("max-age=3600", "endhost");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, 3600s);
  EXPECT_FALSE(cc->no_store);
  cc = parse_surrogate_control(R"(content="ESI/1.0", no-store)", "endhost");
  ASSERT_TRUE(cc);
  EXPECT_TRUE(cc->no_store);
  EXPECT_FALSE(cc->max_age);
  // Names are case-insensitive; the first max-age wins; past 2^31 saturates.
  EXPECT_EQ(parse_surrogate_control("MaX-aGe=60, max-age=5", "endhost")->max_age, 60s);
  EXPECT_EQ(parse_surrogate_control("max-age=99999999999", "endhost")->max_age, delta_seconds_infinity);
  // Unknown directives around a known one do not spoil it.
  EXPECT_EQ(parse_surrogate_control("foobar, max-age=30", "endhost")->max_age, 30s);
}

TEST(SurrogateControl, FreshnessExtensionIsStaleIfError) {
  const auto cc = parse_surrogate_control("max-age=30+600", "endhost");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, 30s);
  EXPECT_EQ(cc->stale_if_error, 600s);
  EXPECT_FALSE(parse_surrogate_control("max-age=30+", "endhost"));
}

TEST(SurrogateControl, BadSyntaxIsIgnored) {
  for (const char* v : {"max-age =100", "max-age= 100", "max-age=1.5", "max-age=-1", "max-age=", "max-age",
                        "content=\"ESI/1.0", "max-age=60;", "max-age=60;a b", "no-store=1", "", ","})
    EXPECT_FALSE(parse_surrogate_control(v, "endhost")) << v;
  // A bad directive leaves the good ones.
  EXPECT_EQ(parse_surrogate_control("max-age =1, max-age=7", "endhost")->max_age, 7s);
}

TEST(SurrogateControl, DeviceTargeting) {
  // Aimed at another surrogate: nothing for us.
  EXPECT_FALSE(parse_surrogate_control("max-age=3600;not-for-you", "endhost"));
  EXPECT_FALSE(parse_surrogate_control("no-store;edge1", "endhost"));
  // Aimed at us (the token compares without case), or at everyone.
  EXPECT_EQ(parse_surrogate_control("max-age=3600;EndHost", "endhost")->max_age, 3600s);
  EXPECT_EQ(parse_surrogate_control("max-age=10;other, max-age=20", "endhost")->max_age, 20s);
  // What is aimed at us overrides every untargeted directive, wherever it stands.
  auto cc = parse_surrogate_control("no-store, max-age=60;endhost", "endhost");
  ASSERT_TRUE(cc);
  EXPECT_FALSE(cc->no_store);
  EXPECT_EQ(cc->max_age, 60s);
  cc = parse_surrogate_control("max-age=60, no-store; endhost", "endhost");
  ASSERT_TRUE(cc);
  EXPECT_TRUE(cc->no_store);
  EXPECT_FALSE(cc->max_age);
  // An unknown directive aimed at us does not hide the untargeted ones.
  EXPECT_EQ(parse_surrogate_control("content=\"ESI/1.0\";endhost, max-age=5", "endhost")->max_age, 5s);
}

TEST(SurrogateControl, Capability) {
  EXPECT_EQ(surrogate_capability("edge1"), "edge1=\"Surrogate/1.0\"");
}

TEST(SurrogateControl, TargetedFieldAfterCdnCacheControl) {
  bool targeted = false;
  // Replaces Cache-Control and Expires, as CDN-Cache-Control does.
  const Fields f{{"Date", to_http_date(to_time_t(t0))},
                 {"Cache-Control", "max-age=1"},
                 {"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"},
                 {"Surrogate-Control", "max-age=3600"}};
  EXPECT_EQ(response_cache_control(f, reverse_names, "endhost", &targeted).max_age, 3600s);
  EXPECT_TRUE(targeted);
  HeuristicPolicy policy;
  policy.targeted_fields = reverse_names;
  const EntryInfo e = analyze_response(Status::ok, f, t0, t0, policy);
  EXPECT_EQ(e.lifetime.value, 3600s);
  // CDN-Cache-Control comes first.
  const Fields both{{"Surrogate-Control", "max-age=3600"}, {"CDN-Cache-Control", "max-age=60"}};
  EXPECT_EQ(response_cache_control(both, reverse_names, "endhost").max_age, 60s);
  // Aimed elsewhere (or only ESI): Cache-Control applies.
  const Fields other{{"Cache-Control", "max-age=5"}, {"Surrogate-Control", "max-age=3600;edge9"}};
  EXPECT_EQ(response_cache_control(other, reverse_names, "endhost", &targeted).max_age, 5s);
  EXPECT_FALSE(targeted);
  const Fields esi{{"Cache-Control", "max-age=5"}, {"Surrogate-Control", "content=\"ESI/1.0\""}};
  EXPECT_EQ(response_cache_control(esi, reverse_names, "endhost").max_age, 5s);
  // The device token is the cache's.
  const Fields mine{{"Cache-Control", "max-age=5"}, {"Surrogate-Control", "max-age=3600;edge9"}};
  EXPECT_EQ(response_cache_control(mine, reverse_names, "edge9").max_age, 3600s);
}

TEST(SurrogateControl, CacheControlsPrivateAndCookiesStillCount) {
  bool targeted = false;
  // It says how long to keep a response, not whose it is: private still forbids a shared copy.
  const Fields priv{{"Cache-Control", "private"}, {"Surrogate-Control", "max-age=600"}};
  const CacheControl p = response_cache_control(priv, reverse_names, "endhost", &targeted);
  EXPECT_TRUE(targeted);
  EXPECT_EQ(p.max_age, 600s);
  EXPECT_TRUE(p.private_);
  const Fields qualified{{"Cache-Control", "private=\"x-user\""}, {"Surrogate-Control", "max-age=600"}};
  EXPECT_EQ(response_cache_control(qualified, reverse_names, "endhost").private_fields,
            std::vector<std::string>{"x-user"});
  // A cookie is not kept for the next client unless Cache-Control makes the response public.
  const Fields cookie{
      {"Cache-Control", "no-store"}, {"Set-Cookie", "sid=1"}, {"Surrogate-Control", "max-age=60"}};
  const CacheControl c = response_cache_control(cookie, reverse_names, "endhost");
  EXPECT_FALSE(c.no_store);  // the browsers' no-store is overridden, as the Edge Architecture intends
  EXPECT_EQ(c.private_fields, std::vector<std::string>{"set-cookie"});
  const Fields shared{
      {"Cache-Control", "public"}, {"Set-Cookie", "sid=1"}, {"Surrogate-Control", "max-age=60"}};
  EXPECT_TRUE(response_cache_control(shared, reverse_names, "endhost").private_fields.empty());
  // CDN-Cache-Control (RFC 9213) replaces Cache-Control whole, as its RFC says.
  const Fields cdn{{"Cache-Control", "private"}, {"CDN-Cache-Control", "max-age=60"}};
  EXPECT_FALSE(response_cache_control(cdn, reverse_names, "endhost").private_);
}
