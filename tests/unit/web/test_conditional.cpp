// RFC 9110 §13.2.2: the order in which preconditions are evaluated, and each field's own rules.
#include <gtest/gtest.h>

#include <vector>

#include "http/date.hpp"
#include "http/server/conditional.hpp"

namespace endhost::web {
namespace {

using http::Method;

constexpr std::time_t kModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::time_t kNow = 1'700'000'000;

struct Case {
  std::vector<http::FieldView> fields;
  http::FieldsView view() const { return http::FieldsView(fields); }
};

Validators file(std::string_view etag = "\"abc\"") {
  return Validators{true, etag, kModified};
}

std::string date(std::time_t t) {
  return http::to_http_date(t);
}

ConditionalResult eval(Method m, std::vector<http::FieldView> f, Validators v = file()) {
  return evaluate_conditionals(m, http::FieldsView(f), v, kNow);
}

TEST(Conditional, NoConditionsProceed) {
  auto r = eval(Method::get, {});
  EXPECT_EQ(r.outcome, Precondition::proceed);
  EXPECT_TRUE(r.range_allowed);
}

TEST(Conditional, IfNoneMatchGives304ForGetAnd412Otherwise) {
  EXPECT_EQ(eval(Method::get, {{"If-None-Match", "\"abc\""}}).outcome, Precondition::not_modified);
  EXPECT_EQ(eval(Method::head, {{"If-None-Match", "\"x\", W/\"abc\""}}).outcome, Precondition::not_modified);
  EXPECT_EQ(eval(Method::get, {{"If-None-Match", "\"other\""}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::get, {{"If-None-Match", "*"}}).outcome, Precondition::not_modified);
  EXPECT_EQ(eval(Method::put, {{"If-None-Match", "*"}}).outcome, Precondition::precondition_failed);
  // "*" does not match a resource that does not exist: PUT with If-None-Match: * creates.
  EXPECT_EQ(eval(Method::put, {{"If-None-Match", "*"}}, Validators{}).outcome, Precondition::proceed);
}

TEST(Conditional, IfNoneMatchListSpansLines) {
  EXPECT_EQ(eval(Method::get, {{"If-None-Match", "\"a\""}, {"if-none-match", "\"abc\""}}).outcome,
            Precondition::not_modified);
}

TEST(Conditional, IfMatchUsesStrongComparison) {
  EXPECT_EQ(eval(Method::put, {{"If-Match", "\"abc\""}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::put, {{"If-Match", "W/\"abc\""}}).outcome, Precondition::precondition_failed);
  EXPECT_EQ(eval(Method::get, {{"If-Match", "\"zzz\""}}).outcome, Precondition::precondition_failed);
  EXPECT_EQ(eval(Method::delete_, {{"If-Match", "*"}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::delete_, {{"If-Match", "*"}}, Validators{}).outcome,
            Precondition::precondition_failed);
  // A weak current tag never matches If-Match.
  EXPECT_EQ(eval(Method::get, {{"If-Match", "\"abc\""}}, file("W/\"abc\"")).outcome,
            Precondition::precondition_failed);
}

TEST(Conditional, IfModifiedSince) {
  const std::string same = date(kModified), later = date(kModified + 60), earlier = date(kModified - 60);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", same}}).outcome, Precondition::not_modified);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", later}}).outcome, Precondition::not_modified);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", earlier}}).outcome, Precondition::proceed);
  // Ignored for other methods, for invalid dates, for repeated fields, and for dates in the future.
  EXPECT_EQ(eval(Method::post, {{"If-Modified-Since", same}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", "yesterday"}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", same}, {"If-Modified-Since", same}}).outcome,
            Precondition::proceed);
  const std::string future = date(kNow + 3600);
  EXPECT_EQ(eval(Method::get, {{"If-Modified-Since", future}}).outcome, Precondition::proceed);
}

TEST(Conditional, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  // §13.1.3: a recipient MUST ignore If-Modified-Since if the request contains If-None-Match.
  const std::string same = date(kModified);
  EXPECT_EQ(eval(Method::get, {{"If-None-Match", "\"other\""}, {"If-Modified-Since", same}}).outcome,
            Precondition::proceed);
}

TEST(Conditional, IfUnmodifiedSince) {
  EXPECT_EQ(eval(Method::put, {{"If-Unmodified-Since", date(kModified)}}).outcome, Precondition::proceed);
  EXPECT_EQ(eval(Method::put, {{"If-Unmodified-Since", date(kModified - 1)}}).outcome,
            Precondition::precondition_failed);
  EXPECT_EQ(eval(Method::put, {{"If-Unmodified-Since", "garbage"}}).outcome, Precondition::proceed);
  // §13.1.4: ignored when If-Match is present.
  EXPECT_EQ(
      eval(Method::put, {{"If-Match", "\"abc\""}, {"If-Unmodified-Since", date(kModified - 1)}}).outcome,
      Precondition::proceed);
}

TEST(Conditional, IfMatchFailureComesBeforeIfNoneMatch) {
  EXPECT_EQ(eval(Method::get, {{"If-Match", "\"nope\""}, {"If-None-Match", "\"abc\""}}).outcome,
            Precondition::precondition_failed);
}

TEST(Conditional, IfRange) {
  EXPECT_TRUE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", "\"abc\""}}).range_allowed);
  EXPECT_FALSE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", "\"old\""}}).range_allowed);
  EXPECT_FALSE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", "W/\"abc\""}}).range_allowed);
  EXPECT_TRUE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", date(kModified)}}).range_allowed);
  EXPECT_FALSE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", date(kModified + 1)}}).range_allowed);
  EXPECT_FALSE(eval(Method::get, {{"Range", "bytes=0-1"}, {"If-Range", "nonsense"}}).range_allowed);
  EXPECT_TRUE(eval(Method::get, {{"Range", "bytes=0-1"}}).range_allowed);
}

}  // namespace
}  // namespace endhost::web
