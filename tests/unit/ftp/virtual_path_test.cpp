// Virtual path resolution: every spelling stays under `/` (the traversal tests of issue 13 at the text
// level).
#include "ftp/virtual_path.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp {
namespace {

std::string resolved(std::string_view cwd, std::string_view arg) {
  auto p = resolve_path(cwd, arg);
  return p ? *p : "error: " + std::string(describe(p.error()));
}

TEST(FtpVirtualPath, RelativeAndAbsolute) {
  EXPECT_EQ(resolved("/", "pub"), "/pub");
  EXPECT_EQ(resolved("/pub", "a.txt"), "/pub/a.txt");
  EXPECT_EQ(resolved("/pub", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(resolved("/pub", ""), "/pub");
  EXPECT_EQ(resolved("/", ""), "/");
  EXPECT_EQ(resolved("/pub", "sub dir/x y"), "/pub/sub dir/x y");
}

TEST(FtpVirtualPath, DotDotStopsAtTheRoot) {
  EXPECT_EQ(resolved("/", ".."), "/");
  EXPECT_EQ(resolved("/pub", "../../../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(resolved("/a/b/c", "../../x"), "/a/x");
  EXPECT_EQ(resolved("/a", "/../../a/../b"), "/b");
  EXPECT_EQ(resolved("/a", "b/../../.."), "/");
  EXPECT_EQ(resolved("/a", "..."), "/a/...");  // a name, not a parent
  EXPECT_EQ(resolved("/a", "..x"), "/a/..x");
}

TEST(FtpVirtualPath, Normalizes) {
  EXPECT_EQ(resolved("/", "//pub///a//"), "/pub/a");
  EXPECT_EQ(resolved("/", "./pub/./a/."), "/pub/a");
  EXPECT_EQ(resolved("/", "pub\\..\\x"), "/pub\\..\\x");  // a backslash is a name character on Unix
}

TEST(FtpVirtualPath, RefusesNulAndOverLong) {
  EXPECT_EQ(resolved("/", std::string_view("a\0b", 3)), "error: NUL in path");
  EXPECT_FALSE(resolve_path("/", std::string(5000, 'a')));
  EXPECT_TRUE(resolve_path("/", std::string(4095, 'a')));
  EXPECT_FALSE(resolve_path("/", std::string(4096, 'a')));
  EXPECT_FALSE(resolve_path("/", "abc/def", 5));
  EXPECT_TRUE(resolve_path("/", "abc/..", 5));
  // Long input that collapses to something short is fine within the bound on input.
  std::string dots;
  for (int i = 0; i < 1000; ++i) dots += "./";
  EXPECT_EQ(resolved("/", dots + "x"), "/x");
}

TEST(FtpVirtualPath, Within) {
  EXPECT_TRUE(is_within("/incoming/a", "/incoming"));
  EXPECT_TRUE(is_within("/incoming", "/incoming"));
  EXPECT_FALSE(is_within("/incomingx", "/incoming"));
  EXPECT_FALSE(is_within("/", "/incoming"));
  EXPECT_TRUE(is_within("/x", "/"));
}

TEST(FtpVirtualPath, BaseNameAndQuoting) {
  EXPECT_EQ(base_name("/a/b"), "b");
  EXPECT_EQ(base_name("/"), "/");
  EXPECT_EQ(quote_path("/usr/dm"), "\"/usr/dm\"");
  EXPECT_EQ(quote_path("/a\"b\""), "\"/a\"\"b\"\"\"");
}

}  // namespace
}  // namespace endhost::ftp
