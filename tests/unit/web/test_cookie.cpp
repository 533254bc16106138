#include <gtest/gtest.h>

#include <vector>

#include "http/server/cookie.hpp"

namespace endhost::web {
namespace {

std::optional<std::string_view> find(std::vector<http::FieldView> f, std::string_view name) {
  return find_cookie(http::FieldsView(f), name);
}

TEST(Cookie, FindsByExactName) {
  EXPECT_EQ(find({{"Cookie", "a=1; endhost_session=abc; b=2"}}, "endhost_session"), "abc");
  EXPECT_EQ(find({{"Cookie", "endhost_session=x"}}, "endhost_session"), "x");
  EXPECT_EQ(find({{"cookie", "a=1"}, {"Cookie", "b=2;endhost_session=\"q\""}}, "endhost_session"), "q");
  EXPECT_FALSE(find({{"Cookie", "Endhost_Session=x; endhost_sessionx=y"}}, "endhost_session"));
  EXPECT_FALSE(find({{"Set-Cookie", "endhost_session=x"}}, "endhost_session"));
  EXPECT_FALSE(find({}, "endhost_session"));
  EXPECT_EQ(find({{"Cookie", "first=1; first=2"}}, "first"), "1");
}

TEST(Cookie, SessionIdsAreExactlyOurFormat) {
  EXPECT_TRUE(valid_session_id("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(valid_session_id("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(valid_session_id("0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(valid_session_id("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(valid_session_id("' OR 1=1 --aaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(valid_session_id(""));
}

TEST(Cookie, SetCookieAttributes) {
  EXPECT_EQ(session_set_cookie("abc", 3600),
            "endhost_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
}

}  // namespace
}  // namespace endhost::web
