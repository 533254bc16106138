// RFC 8941 Dictionaries and RFC 9213 targeted cache-control fields (CDN-Cache-Control).
#include <gtest/gtest.h>

#include "http/cache/entry.hpp"
#include "http/cache/structured_field.hpp"
#include "http/cache/targeted.hpp"
#include "http/date.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {
const Time t0 = from_time_t(1'700'000'000);
}

TEST(StructuredField, Rfc8941_4_2_2_Dictionary) {
  auto d = parse_sf_dictionary(R"(a=1, b, c=?0, d="x\"y", e=tok/en, f=:aGk=:, g=1.5;p=2, h=(1 "two"), i;q)");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 9u);
  EXPECT_EQ((*d)[0].key, "a");
  EXPECT_EQ((*d)[0].value.kind, SfItem::Kind::integer);
  EXPECT_EQ((*d)[0].value.integer, 1);
  EXPECT_EQ((*d)[1].value.kind, SfItem::Kind::boolean);
  EXPECT_TRUE((*d)[1].value.boolean);
  EXPECT_FALSE((*d)[2].value.boolean);
  EXPECT_EQ((*d)[3].value.text, "x\"y");
  EXPECT_EQ((*d)[4].value.kind, SfItem::Kind::token);
  EXPECT_EQ((*d)[5].value.kind, SfItem::Kind::bytes);
  EXPECT_EQ((*d)[6].value.kind, SfItem::Kind::decimal);
  EXPECT_EQ((*d)[7].value.kind, SfItem::Kind::inner_list);
  EXPECT_TRUE((*d)[8].value.boolean);  // a bare key with parameters is true
  // A repeated key keeps its last value (§4.2.2).
  auto r = parse_sf_dictionary("a=1, a=2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value.integer, 2);
  EXPECT_TRUE(parse_sf_dictionary(""));
  EXPECT_TRUE(parse_sf_dictionary("  a=1  "));
}

TEST(StructuredField, Rfc8941_4_2_InvalidDictionariesFailWhole) {
  for (const char* bad : {"A=1", "a=1,", "a=1,,b", "a=\"x", "a=1 b=2", "a=1.", "a=1234567890123456", "a=?2",
                          "a=\"\x01\"", "a=(1", "1a=1", "a=:x", "a=1;", "a=1;B"}) {
    EXPECT_FALSE(parse_sf_dictionary(bad)) << bad;
  }
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? ", k" : "k") + std::to_string(i);
  EXPECT_FALSE(parse_sf_dictionary(many));
}

TEST(Targeted, Rfc9213_2_2_DirectivesWithStructuredTypes) {
  auto cc =
      parse_targeted_cache_control("max-age=60, stale-while-revalidate=30, must-revalidate, no-store=?0");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, 60s);
  EXPECT_EQ(cc->stale_while_revalidate, 30s);
  EXPECT_TRUE(cc->must_revalidate);
  EXPECT_FALSE(cc->no_store);
  // Wrong types are ignored; a field list makes private unqualified; delta-seconds saturate.
  cc =
      parse_targeted_cache_control(R"(max-age="60", private=("set-cookie"), s-maxage=99999999999, public=3)");
  ASSERT_TRUE(cc);
  EXPECT_FALSE(cc->max_age);
  EXPECT_TRUE(cc->private_);
  EXPECT_EQ(cc->s_maxage, delta_seconds_infinity);
  EXPECT_FALSE(cc->public_);
  // Not a Dictionary: the field is ignored.
  EXPECT_FALSE(parse_targeted_cache_control("max-age=60;"));
  EXPECT_FALSE(parse_targeted_cache_control("Max-Age=60"));
}

TEST(Targeted, Rfc9213_2_1_TheFirstValidTargetedFieldReplacesCacheControlAndExpires) {
  const std::vector<std::string> names{"endhost-cache-control", "cdn-cache-control"};
  const Fields f{{"Date", to_http_date(to_time_t(t0))},
                 {"Cache-Control", "no-store"},
                 {"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"},
                 {"CDN-Cache-Control", "max-age=60"},
                 {"Endhost-Cache-Control", "max-age=600"}};
  bool targeted = false;
  const CacheControl cc = response_cache_control(f, names, "endhost", &targeted);
  EXPECT_TRUE(targeted);
  EXPECT_EQ(cc.max_age, 600s);
  EXPECT_FALSE(cc.no_store);
  HeuristicPolicy policy;
  policy.targeted_fields = names;
  const EntryInfo e = analyze_response(Status::ok, f, t0, t0, policy);
  EXPECT_TRUE(e.targeted);
  EXPECT_EQ(ttl_at(e, t0), 600s);  // neither no-store nor the past Expires applies
  // An invalid first field is skipped for the next; with none valid, Cache-Control and Expires apply.
  const Fields g{{"Cache-Control", "max-age=5"},
                 {"Endhost-Cache-Control", "max-age=1,"},
                 {"CDN-Cache-Control", "max-age=50"}};
  EXPECT_EQ(response_cache_control(g, names, "endhost").max_age, 50s);
  const Fields h{{"Cache-Control", "max-age=5"}, {"CDN-Cache-Control", "max-age="}};
  EXPECT_EQ(response_cache_control(h, names, "endhost", &targeted).max_age, 5s);
  EXPECT_FALSE(targeted);
  // Lines of one field combine.
  const Fields lines{{"CDN-Cache-Control", "max-age=50"}, {"CDN-Cache-Control", "must-revalidate"}};
  const CacheControl both = response_cache_control(lines, names, "endhost");
  EXPECT_EQ(both.max_age, 50s);
  EXPECT_TRUE(both.must_revalidate);
  // Without targeted names (forward mode) the field means nothing.
  EXPECT_FALSE(response_cache_control(f, {}, "endhost").max_age);
}
