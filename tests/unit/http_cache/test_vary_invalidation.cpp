// RFC 9111 §4.1 (Vary and secondary keys) and §4.4 (invalidation after unsafe methods).
#include <gtest/gtest.h>

#include <vector>

#include "http/cache/invalidation.hpp"
#include "http/cache/storability.hpp"
#include "http/cache/vary.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

TEST(Vary, Rfc9111_4_1_NamesAreCaseInsensitiveAndDeduplicated) {
  Fields f{{"Vary", "Accept-Encoding, accept-language"}, {"vary", "ACCEPT-ENCODING"}};
  auto spec = parse_vary(f);
  EXPECT_FALSE(spec.star);
  EXPECT_EQ(spec.names, (std::vector<std::string>{"accept-encoding", "accept-language"}));
}

TEST(Vary, Rfc9111_4_1_StarNeverMatches) {
  Fields f{{"Vary", "Accept, *"}};
  EXPECT_TRUE(parse_vary(f).star);
}

TEST(Vary, TooManyNamesIsTreatedAsStar) {
  std::string names;
  for (int i = 0; i < 20; ++i) names += "x-" + std::to_string(i) + ",";
  Fields f{{"Vary", names}};
  EXPECT_TRUE(parse_vary(f).star);
}

TEST(Vary, Rfc9111_4_1_SecondaryKeyNormalisesWhitespaceAndLines) {
  VarySpec spec{false, {"accept-encoding"}};
  Fields a{{"Accept-Encoding", "gzip, br"}};
  Fields b{{"accept-encoding", "gzip"}, {"Accept-Encoding", "br"}};
  Fields c{{"Accept-Encoding", "gzip,br"}};
  EXPECT_EQ(secondary_key(spec, a), secondary_key(spec, b));
  EXPECT_EQ(secondary_key(spec, a), secondary_key(spec, c));
  Fields d{{"Accept-Encoding", "br, gzip"}};
  EXPECT_NE(secondary_key(spec, a), secondary_key(spec, d));
}

TEST(Vary, Rfc9111_4_1_AcceptLanguageIsNormalisedForCaseOrderAndWeights) {
  VarySpec spec{false, {"accept-language"}};
  const std::string en_de = secondary_key(spec, Fields{{"Accept-Language", "en, de"}});
  EXPECT_EQ(en_de, secondary_key(spec, Fields{{"Accept-Language", "de, en"}}));
  EXPECT_EQ(en_de, secondary_key(spec, Fields{{"Accept-Language", "eN, De"}}));
  EXPECT_EQ(en_de, secondary_key(spec, Fields{{"Accept-Language", " en ,   de"}}));
  EXPECT_EQ(en_de, secondary_key(spec, Fields{{"Accept-Language", "de;q=1.0, en;q=1"}}));
  EXPECT_EQ(en_de, secondary_key(spec, Fields{{"Accept-Language", "de"}, {"accept-language", "EN"}}));
  // Different weights are a different preference.
  const std::string de_first = secondary_key(spec, Fields{{"Accept-Language", "de, en;q=0.5"}});
  EXPECT_NE(en_de, de_first);
  EXPECT_EQ(de_first, secondary_key(spec, Fields{{"Accept-Language", "en;Q=0.50 , DE"}}));
  EXPECT_NE(en_de, secondary_key(spec, Fields{{"Accept-Language", "fr"}}));
  // Something that is not a language list is kept as it came (whitespace aside), never merged with another.
  EXPECT_NE(secondary_key(spec, Fields{{"Accept-Language", "en;x=1"}}),
            secondary_key(spec, Fields{{"Accept-Language", "EN;x=1"}}));
}

TEST(Vary, Rfc4647_3_3_1_TheMostPreferredRangeSelectsAContentLanguage) {
  const auto selects = [](const char* accept, const char* language) {
    return language_selects(Fields{{"Accept-Language", accept}}, language);
  };
  EXPECT_TRUE(selects("fr;q=0.5, de;q=1.0", "de"));
  EXPECT_TRUE(selects("de", "de-AT"));  // basic filtering: a prefix up to a '-'
  EXPECT_TRUE(selects("DE-at, en;q=0.1", "de-AT"));
  EXPECT_FALSE(selects("de-AT", "de"));  // a longer range does not match a shorter tag
  EXPECT_FALSE(selects("den", "de"));
  EXPECT_FALSE(selects("d", "de"));
  EXPECT_FALSE(selects("de, fr", "de"));  // a tie: the origin might have chosen French
  EXPECT_FALSE(selects("*", "de"));
  EXPECT_FALSE(selects("de;q=0", "de"));
  EXPECT_FALSE(selects("de;q=x", "de"));  // a bad member spoils the list
  EXPECT_FALSE(selects("de", "de, en"));  // a response in two languages
  EXPECT_FALSE(selects("de", ""));
  EXPECT_FALSE(language_selects(Fields{}, "de"));
}

TEST(Vary, Rfc9111_4_1_AbsentFieldMatchesOnlyAbsent) {
  VarySpec spec{false, {"accept-language"}};
  Fields none{{"Host", "x"}};
  Fields empty{{"Accept-Language", ""}};
  EXPECT_NE(secondary_key(spec, none), secondary_key(spec, empty));
  std::vector<FieldView> view{{"Host", "y"}};
  EXPECT_EQ(secondary_key(spec, none), secondary_key(spec, FieldsView(view)));
}

TEST(Vary, NoVaryGivesAnEmptyKey) {
  Fields f{{"Accept", "x"}};
  EXPECT_EQ(secondary_key(VarySpec{}, f), "");
}

namespace {
Url url(std::string_view s) {
  return *parse_url(s);
}
std::vector<std::string> invalidate(std::string_view method, Status status, std::vector<FieldView> fields) {
  return invalidated_keys(method, status, url("http://a.example/res?x=1"), FieldsView(fields));
}
}  // namespace

TEST(Invalidation, Rfc9110_9_2_1_SafeMethods) {
  EXPECT_TRUE(is_safe_method("GET"));
  EXPECT_TRUE(is_safe_method("HEAD"));
  EXPECT_TRUE(is_safe_method("OPTIONS"));
  EXPECT_TRUE(is_safe_method("TRACE"));
  EXPECT_FALSE(is_safe_method("POST"));
  EXPECT_FALSE(is_safe_method("PURGE"));
  EXPECT_FALSE(is_safe_method("get"));
}

TEST(Invalidation, Rfc9111_4_4_UnsafeMethodInvalidatesTarget) {
  EXPECT_EQ(invalidate("POST", Status::ok, {}), (std::vector<std::string>{"http://a.example/res?x=1"}));
  EXPECT_EQ(invalidate("DELETE", Status::see_other, {}).size(), 1u);
  EXPECT_EQ(invalidate("FROB", Status::no_content, {}).size(), 1u);  // unknown methods are unsafe
}

TEST(Invalidation, Rfc9111_4_4_OnlyAfterNonErrorStatus) {
  EXPECT_TRUE(invalidate("POST", Status::not_found, {}).empty());
  EXPECT_TRUE(invalidate("POST", Status::internal_server_error, {}).empty());
  EXPECT_TRUE(invalidate("GET", Status::ok, {}).empty());
}

TEST(Invalidation, Rfc9111_4_4_LocationAndContentLocationOnTheSameOrigin) {
  auto keys = invalidate("POST", Status::created,
                         {{"Location", "/res/42"}, {"Content-Location", "http://A.example:80/other"}});
  EXPECT_EQ(keys, (std::vector<std::string>{"http://a.example/res?x=1", "http://a.example/res/42",
                                            "http://a.example/other"}));
}

TEST(PostResponse, Rfc9110_9_3_3_ReusableWithExplicitFreshnessAndItsOwnContentLocation) {
  const Url target = *parse_url("http://a.example/res?x=1");
  CacheControl fresh;
  fresh.max_age = Duration(60);
  const CacheControl none;
  const auto reusable = [&](Status status, Fields fields, const CacheControl& cc, bool expires = false) {
    std::vector<FieldView> view;
    for (const Field& f : fields) view.push_back({f.name, f.value});
    return post_response_reusable(target, status, FieldsView(view), cc, expires);
  };
  EXPECT_TRUE(reusable(Status::ok, {{"Content-Location", "/res?x=1"}}, fresh));
  EXPECT_TRUE(reusable(Status::ok, {{"Content-Location", "http://A.example:80/res?x=1"}}, none, true));
  EXPECT_FALSE(reusable(Status::ok, {{"Content-Location", "/res?x=1"}}, none));  // no explicit freshness
  EXPECT_FALSE(reusable(Status::ok, {{"Content-Location", "/res"}}, fresh));     // another URI
  EXPECT_FALSE(reusable(Status::ok, {{"Content-Location", "https://a.example/res?x=1"}}, fresh));
  EXPECT_FALSE(reusable(Status::ok, {}, fresh));
  EXPECT_FALSE(reusable(Status::created, {{"Content-Location", "/res?x=1"}}, fresh));
}

TEST(Invalidation, Rfc9111_4_4_NeverAnotherOrigin) {
  auto keys =
      invalidate("POST", Status::ok,
                 {{"Location", "http://b.example/res"}, {"Content-Location", "https://a.example/res"}});
  EXPECT_EQ(keys, (std::vector<std::string>{"http://a.example/res?x=1"}));
}
