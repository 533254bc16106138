// The route table (methods, what needs a session and a CSRF token), forms and query strings, UID lists,
// and the JSON writer's escaping.
#include <gtest/gtest.h>

#include "mail/webmail/form.hpp"
#include "mail/webmail/json_text.hpp"
#include "mail/webmail/route.hpp"

namespace endhost::mail::webmail {
namespace {

TEST(Route, MatchesPathsAndMethods) {
  auto m = match_route("GET", "/api/messages");
  ASSERT_TRUE(m.rule);
  EXPECT_EQ(m.rule->id, RouteId::Messages);
  EXPECT_TRUE(m.method_allowed);
  EXPECT_TRUE(match_route("HEAD", "/").method_allowed);
  m = match_route("GET", "/api/send");
  ASSERT_TRUE(m.rule);
  EXPECT_FALSE(m.method_allowed);
  EXPECT_EQ(m.allow, "POST");
  EXPECT_FALSE(match_route("POST", "/api/folders").method_allowed);
  EXPECT_FALSE(match_route("GET", "/api/messages/").rule);
  EXPECT_FALSE(match_route("GET", "/API/messages").rule);
  EXPECT_FALSE(match_route("GET", "/../etc/passwd").rule);
}

TEST(Route, EveryPostButLoginNeedsASessionAndItsToken) {
  for (const char* path : {"/api/logout", "/api/flags", "/api/move", "/api/delete", "/api/send"}) {
    const auto m = match_route("POST", path);
    ASSERT_TRUE(m.rule) << path;
    EXPECT_TRUE(m.rule->needs_session) << path;
    EXPECT_TRUE(m.rule->needs_csrf) << path;
  }
  const auto login = match_route("POST", "/api/login");
  ASSERT_TRUE(login.rule);
  EXPECT_FALSE(login.rule->needs_session);
  for (const char* path : {"/api/folders", "/api/messages", "/api/message", "/api/message/html", "/api/part",
                           "/api/source", "/api/events"}) {
    const auto m = match_route("GET", path);
    ASSERT_TRUE(m.rule) << path;
    EXPECT_TRUE(m.rule->needs_session) << path;
    EXPECT_FALSE(m.rule->post) << path;
  }
}

TEST(Form, DecodesPairs) {
  const Form f = Form::parse("user=bob%40x&password=a+b%26c&empty=&flag&user=second&bad=%zz");
  EXPECT_EQ(f.get("user"), "bob@x");  // the first of a repeated name
  EXPECT_EQ(f.get("password"), "a b&c");
  EXPECT_EQ(f.get("empty"), "");
  EXPECT_EQ(f.get("flag"), "");
  EXPECT_EQ(f.get("bad"), "%zz");
  EXPECT_FALSE(f.get("none"));
  EXPECT_EQ(f.get_or("none", "x"), "x");
  const Form many = Form::parse("a=1&b=2&c=3", 2);
  EXPECT_TRUE(many.truncated());
  EXPECT_EQ(many.fields().size(), 2u);
}

TEST(Form, UidListsAndCounts) {
  EXPECT_EQ(parse_uid_list("3,5,9", 10), (std::vector<std::uint32_t>{3, 5, 9}));
  EXPECT_FALSE(parse_uid_list("", 10));
  EXPECT_FALSE(parse_uid_list("0", 10));
  EXPECT_FALSE(parse_uid_list("1,,2", 10));
  EXPECT_FALSE(parse_uid_list("1,x", 10));
  EXPECT_FALSE(parse_uid_list("4294967296", 10));
  EXPECT_FALSE(parse_uid_list("1,2,3", 2));
  EXPECT_EQ(parse_count("42", 100), 42u);
  EXPECT_FALSE(parse_count("-1", 100));
  EXPECT_FALSE(parse_count("101", 100));
  EXPECT_FALSE(parse_count("1e3", 10000));
  EXPECT_EQ(url_encode("a b/é"), "a%20b%2F%C3%A9");
}

TEST(Json, EscapesForAnyContext) {
  JsonWriter j;
  j.begin_object().key("s").value("<script>\"a\\b\"\n\x01&").key("n").value(std::uint64_t{7});
  j.key("a").begin_array().value(true).null().value("\xff").end_array().end_object();
  EXPECT_EQ(j.text(),
            "{\"s\":\"\\u003cscript\\u003e\\\"a\\\\b\\\"\\n\\u0001\\u0026\",\"n\":7,\"a\":[true,null,"
            "\"\\ufffd\"]}");
  std::string out;
  append_json_string(out, "é\xed\xa0\x80");  // a surrogate encoded in UTF-8 is not UTF-8
  EXPECT_EQ(out, "\"é\\ufffd\\ufffd\\ufffd\"");
}

}  // namespace
}  // namespace endhost::mail::webmail
