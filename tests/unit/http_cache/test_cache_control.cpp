// RFC 9111 §5.2: the Cache-Control parser.
#include <gtest/gtest.h>

#include "http/cache/cache_control.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {
CacheControl cc(std::string_view v) {
  CacheControl c;
  add_cache_control(c, v);
  return c;
}
}  // namespace

TEST(CacheControl, Rfc9111_5_2_DirectivesAreCaseInsensitiveTokens) {
  auto c = cc("Max-Age=60, NO-CACHE, Public");
  EXPECT_EQ(c.max_age, 60s);
  EXPECT_TRUE(c.no_cache);
  EXPECT_TRUE(c.public_);
}

TEST(CacheControl, Rfc9111_5_2_ArgumentMayBeQuoted) {
  EXPECT_EQ(cc("max-age=\"30\"").max_age, 30s);
  EXPECT_EQ(cc("s-maxage=\"7\"").s_maxage, 7s);
}

TEST(CacheControl, Rfc9111_1_2_2_DeltaSecondsSaturateAt2Pow31) {
  EXPECT_EQ(cc("max-age=99999999999999999999999").max_age, delta_seconds_infinity);
  EXPECT_EQ(parse_delta_seconds("2147483648"), delta_seconds_infinity);
  EXPECT_EQ(parse_delta_seconds("0"), 0s);
  EXPECT_FALSE(parse_delta_seconds("-1"));
  EXPECT_FALSE(parse_delta_seconds(""));
  EXPECT_FALSE(parse_delta_seconds("1.5"));
}

TEST(CacheControl, Rfc9111_4_2_1_InvalidMaxAgeMarksResponseStale) {
  auto c = cc("max-age=abc");
  EXPECT_FALSE(c.max_age);
  EXPECT_TRUE(c.invalid_freshness);
  EXPECT_TRUE(cc("s-maxage").invalid_freshness);
  EXPECT_FALSE(cc("max-age=5").invalid_freshness);
}

TEST(CacheControl, Rfc9111_4_2_1_FirstOccurrenceWins) {
  EXPECT_EQ(cc("max-age=10, max-age=20").max_age, 10s);
  CacheControl c;
  add_cache_control(c, "max-age=5");
  add_cache_control(c, "max-age=500");
  EXPECT_EQ(c.max_age, 5s);
}

TEST(CacheControl, Rfc9111_5_2_1_RequestDirectives) {
  auto c = cc("max-stale=30, min-fresh=10, only-if-cached, no-store, no-transform");
  EXPECT_EQ(c.max_stale, 30s);
  EXPECT_FALSE(c.max_stale_any);
  EXPECT_EQ(c.min_fresh, 10s);
  EXPECT_TRUE(c.only_if_cached);
  EXPECT_TRUE(c.no_store);
  EXPECT_TRUE(c.no_transform);
}

TEST(CacheControl, Rfc9111_5_2_1_2_MaxStaleWithoutValueAcceptsAnyStaleness) {
  auto c = cc("max-stale");
  EXPECT_TRUE(c.max_stale_any);
  EXPECT_FALSE(c.max_stale);
  // A bad value is ignored, not taken as "any".
  auto bad = cc("max-stale=x");
  EXPECT_FALSE(bad.max_stale_any);
  EXPECT_FALSE(bad.max_stale);
}

TEST(CacheControl, Rfc9111_5_2_2_ResponseDirectives) {
  auto c = cc("must-revalidate, proxy-revalidate, must-understand, private, immutable");
  EXPECT_TRUE(c.must_revalidate);
  EXPECT_TRUE(c.proxy_revalidate);
  EXPECT_TRUE(c.must_understand);
  EXPECT_TRUE(c.private_);
  EXPECT_TRUE(c.immutable);
}

TEST(CacheControl, Rfc9111_5_2_2_4_QualifiedNoCacheListsFieldNames) {
  auto c = cc("no-cache=\"Set-Cookie, X-Secret\", max-age=60");
  EXPECT_FALSE(c.no_cache);
  EXPECT_EQ(c.no_cache_fields, (std::vector<std::string>{"set-cookie", "x-secret"}));
  EXPECT_EQ(c.max_age, 60s);
  // The token form seen in the wild means the same.
  EXPECT_EQ(cc("no-cache=Set-Cookie").no_cache_fields, (std::vector<std::string>{"set-cookie"}));
}

TEST(CacheControl, Rfc9111_5_2_2_7_QualifiedPrivateListsFieldNames) {
  auto c = cc("private=\"authorization-info\"");
  EXPECT_FALSE(c.private_);
  EXPECT_EQ(c.private_fields, (std::vector<std::string>{"authorization-info"}));
}

TEST(CacheControl, QualifiedListThatIsNotFieldNamesFallsBackToUnqualified) {
  EXPECT_TRUE(cc("private=\"a b\"").private_);
  std::string many = "no-cache=\"";
  for (int i = 0; i < 40; ++i) many += "f" + std::to_string(i) + ",";
  many += "\"";
  EXPECT_TRUE(cc(many).no_cache);
}

TEST(CacheControl, Rfc5861_StaleExtensions) {
  auto c = cc("max-age=600, stale-while-revalidate=30, stale-if-error=86400");
  EXPECT_EQ(c.stale_while_revalidate, 30s);
  EXPECT_EQ(c.stale_if_error, 86400s);
}

TEST(CacheControl, Rfc9111_5_2_3_UnknownExtensionsAreIgnored) {
  auto c = cc("community=\"UCI\", foo, bar=\"a,b\", max-age=3");
  EXPECT_EQ(c.max_age, 3s);
  CacheControl expect;
  expect.max_age = 3s;
  EXPECT_EQ(c, expect);
}

TEST(CacheControl, Rfc9110_5_3_ListSplitOverSeveralLines) {
  Fields f{{"Cache-Control", "public"}, {"Content-Type", "text/plain"}, {"cache-control", "max-age=9"}};
  auto c = parse_cache_control(f);
  EXPECT_TRUE(c.public_);
  EXPECT_EQ(c.max_age, 9s);
  std::vector<FieldView> views{{"Cache-Control", "no-store"}, {"X", "max-age=3"}};
  auto v = parse_cache_control(FieldsView(views));
  EXPECT_TRUE(v.no_store);
  EXPECT_FALSE(v.max_age);
}

TEST(CacheControl, EmptyAndJunkElementsAreSkipped) {
  EXPECT_TRUE(cc("").empty());
  EXPECT_TRUE(cc(" , ,, ").empty());
  EXPECT_EQ(cc(",,max-age=1,,").max_age, 1s);
  EXPECT_TRUE(cc("=,==,max-age").invalid_freshness);
}
