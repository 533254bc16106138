#include <gtest/gtest.h>

#include "http/server/url_path.hpp"

namespace endhost::web {
namespace {

struct Resolved {
  bool ok;
  std::string path;
  PathInfo info;
  PathError error;
};

Resolved resolve(std::string_view raw) {
  std::string out;
  auto r = resolve_path(raw, out);
  if (!r) return {false, out, {}, r.error()};
  return {true, out, *r, PathError::bad_escape};
}

TEST(UrlPath, SplitsQuery) {
  auto p = split_target("/a/b?x=1&y");
  EXPECT_EQ(p.path, "/a/b");
  EXPECT_EQ(p.query, "x=1&y");
  EXPECT_TRUE(p.has_query);
  p = split_target("/a");
  EXPECT_EQ(p.path, "/a");
  EXPECT_FALSE(p.has_query);
  p = split_target("/a?");
  EXPECT_TRUE(p.has_query);
  EXPECT_EQ(p.query, "");
}

TEST(UrlPath, SplitsAbsoluteForm) {
  auto a = split_absolute("http://example.test:8080/p/q?z");
  EXPECT_EQ(a.authority, "example.test:8080");
  EXPECT_EQ(a.origin, "/p/q?z");
  a = split_absolute("http://example.test");
  EXPECT_EQ(a.authority, "example.test");
  EXPECT_EQ(a.origin, "/");
  a = split_absolute("http://h?q");
  EXPECT_EQ(a.authority, "h");
  EXPECT_EQ(a.origin, "?q");
}

TEST(UrlPath, RootAndPlainPaths) {
  auto r = resolve("/");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.path, "");
  EXPECT_TRUE(r.info.trailing_slash);
  r = resolve("/a/b.html");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.path, "a/b.html");
  EXPECT_FALSE(r.info.trailing_slash);
  r = resolve("/dir/");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.path, "dir");
  EXPECT_TRUE(r.info.trailing_slash);
}

TEST(UrlPath, CollapsesEmptyAndDotSegments) {
  EXPECT_EQ(resolve("//a///b/./c/.").path, "a/b/c");
  EXPECT_TRUE(resolve("/a/.").info.trailing_slash);
  EXPECT_EQ(resolve("/a/b/../c").path, "a/c");
  EXPECT_EQ(resolve("/a/b/..").path, "a");
  EXPECT_TRUE(resolve("/a/b/..").info.trailing_slash);
  EXPECT_EQ(resolve("/a/..").path, "");
}

TEST(UrlPath, RefusesToClimbAboveTheRoot) {
  for (const char* p :
       {"/..", "/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/%2E%2E%2Fetc", "/a/..%2f..%2fb", "/.%2e/x"}) {
    auto r = resolve(p);
    EXPECT_FALSE(r.ok) << p;
    EXPECT_EQ(r.error, PathError::above_root) << p;
  }
}

TEST(UrlPath, DecodesBeforeNormalizing) {
  // %2F is a separator once decoded, so "a%2F..%2Fb" is a/../b = b, never a file named "a/../b".
  EXPECT_EQ(resolve("/a%2F..%2Fb").path, "b");
  EXPECT_EQ(resolve("/%7Euser/file%20name.txt").path, "~user/file name.txt");
  EXPECT_EQ(resolve("/caf%C3%A9").path, "caf\xC3\xA9");
}

TEST(UrlPath, RejectsNulAndBadEscapes) {
  EXPECT_EQ(resolve("/a%00.html").error, PathError::nul);
  EXPECT_EQ(resolve(std::string_view("/a\0b", 4)).error, PathError::nul);
  EXPECT_EQ(resolve("/a%2").error, PathError::bad_escape);
  EXPECT_EQ(resolve("/a%zz").error, PathError::bad_escape);
  EXPECT_EQ(resolve("/a%").error, PathError::bad_escape);
  EXPECT_EQ(resolve("a").error, PathError::not_absolute);
  EXPECT_EQ(resolve("").error, PathError::not_absolute);
}

TEST(UrlPath, MarksDotfilesHidden) {
  EXPECT_TRUE(resolve("/.git/config").info.hidden);
  EXPECT_TRUE(resolve("/a/.env").info.hidden);
  EXPECT_TRUE(resolve("/%2egit/HEAD").info.hidden);
  EXPECT_FALSE(resolve("/a.b/c").info.hidden);
  EXPECT_FALSE(resolve("/.well-known/acme-challenge/x").info.hidden);
  EXPECT_TRUE(resolve("/a/.well-known/x").info.hidden);
}

TEST(UrlPath, EnforcesLengthLimit) {
  std::string out;
  auto r = resolve_path("/" + std::string(100, 'a'), out, 50);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), PathError::too_long);
}

TEST(UrlPath, PercentEncodesForLinks) {
  std::string out;
  append_path_encoded(out, "a b/c#d?e%f\"<");
  EXPECT_EQ(out, "a%20b/c%23d%3Fe%25f%22%3C");
  out.clear();
  append_path_encoded(out, "caf\xC3\xA9~_.-");
  EXPECT_EQ(out, "caf%C3%A9~_.-");
}

TEST(UrlPath, PercentDecode) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%20b%2fc", out));
  EXPECT_EQ(out, "a b/c");
  out.clear();
  EXPECT_FALSE(percent_decode("a%2", out));
  out.clear();
  EXPECT_FALSE(percent_decode("%g0", out));
}

}  // namespace
}  // namespace endhost::web
