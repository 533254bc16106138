// Fields, field-value helpers (RFC 9110 §5), methods and status phrases.
#include <gtest/gtest.h>

#include <vector>

#include "http/field_value.hpp"
#include "http/fields.hpp"
#include "http/method.hpp"
#include "http/status.hpp"

namespace endhost::http {
namespace {

TEST(Fields, CaseInsensitiveOrderedMultimap) {
  Fields f;
  f.add("Set-Cookie", "a=1");
  f.add("Content-Type", "text/html");
  f.add("set-cookie", "b=2");
  EXPECT_EQ(f.count("SET-COOKIE"), 2u);
  EXPECT_EQ(f.get("content-type"), "text/html");
  EXPECT_FALSE(f.get("missing"));
  f.set("Set-Cookie", "c=3");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].name, "Set-Cookie");  // the first line keeps its place
  EXPECT_EQ(f[0].value, "c=3");
  f.set("New", "x");
  EXPECT_EQ(f[2].name, "New");
  EXPECT_EQ(f.erase("content-TYPE"), 1u);
  EXPECT_EQ(f.size(), 2u);
}

TEST(Fields, ViewLookups) {
  const FieldView raw[] = {{"Host", "a"}, {"X", "1"}, {"x", "2"}};
  FieldsView v(raw);
  EXPECT_EQ(v.get("HOST"), "a");
  EXPECT_EQ(v.count("X"), 2u);
  EXPECT_FALSE(v.contains("y"));
  EXPECT_EQ(Fields(v).size(), 3u);
}

std::vector<std::string_view> elements(std::string_view value) {
  std::vector<std::string_view> out;
  ListReader list(value);
  while (auto e = list.next()) out.push_back(*e);
  return out;
}

// RFC 9110 §5.6.1: lists, empty elements, quoted strings.
TEST(ListReader, SplitsOnCommasOutsideQuotes) {
  EXPECT_EQ(elements("a, b ,c"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(elements(" , ,a,, b,"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(elements(R"(a="x, y", b;q="\",", c)"),
            (std::vector<std::string_view>{R"(a="x, y")", R"(b;q="\",")", "c"}));
  EXPECT_TRUE(elements("").empty());
  EXPECT_EQ(elements("\"unterminated, x"), (std::vector<std::string_view>{"\"unterminated, x"}));
}

TEST(ListReader, TokenMembershipIgnoresCase) {
  EXPECT_TRUE(list_contains_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_FALSE(list_contains_token("\"close\"", "close"));
  EXPECT_FALSE(list_contains_token("closed", "close"));
  const FieldView raw[] = {{"Connection", "keep-alive"}, {"connection", "TE, close"}};
  EXPECT_TRUE(fields_contain_token(FieldsView(raw), "Connection", "te"));
  EXPECT_EQ(unquote(R"("a\"b\\c")"), R"(a"b\c)");
  EXPECT_EQ(unquote("token"), "token");
}

TEST(ContentLength, ListsAndLimits) {
  const FieldView ok[] = {{"Content-Length", "42, 42"}, {"content-length", "42"}};
  EXPECT_EQ(*content_length(FieldsView(ok)), 42u);
  const FieldView none[] = {{"X", "1"}};
  EXPECT_FALSE(*content_length(FieldsView(none)));
  const FieldView big[] = {{"Content-Length", "999999999999999999"}};
  EXPECT_EQ(*content_length(FieldsView(big)), 999999999999999999u);
  const FieldView too_big[] = {{"Content-Length", "9999999999999999999"}};
  EXPECT_FALSE(content_length(FieldsView(too_big)));
}

TEST(Method, CaseSensitiveLookup) {
  EXPECT_EQ(method_from_token("GET"), Method::get);
  EXPECT_EQ(method_from_token("get"), Method::unknown);
  EXPECT_EQ(method_from_token("PATCH"), Method::patch);
  EXPECT_EQ(to_string(Method::delete_), "DELETE");
}

TEST(Status, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(Status::ok), "OK");
  EXPECT_EQ(reason_phrase(Status::request_header_fields_too_large), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(Status::content_too_large), "Content Too Large");
  EXPECT_EQ(reason_phrase(static_cast<Status>(299)), "");
  EXPECT_EQ(status_class(Status::not_found), 4u);
  EXPECT_EQ(status_class(static_cast<Status>(42)), 0u);
}

}  // namespace
}  // namespace endhost::http
