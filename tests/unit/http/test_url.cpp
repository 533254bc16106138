// RFC 3986 and RFC 9110 §4.2: parsing, normalising and resolving http(s) URLs.
#include <gtest/gtest.h>

#include "http/url.hpp"

using namespace endhost::http;

TEST(Url, Rfc9110_4_2_3_NormalisesSchemeHostPortAndEmptyPath) {
  auto u = parse_url("HTTP://Example.COM:80");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path_query, "/");
  EXPECT_EQ(u->to_string(), "http://example.com/");
  EXPECT_EQ(parse_url("http://example.com?q")->path_query, "/?q");
}

TEST(Url, PortsUserinfoAndIpv6) {
  auto u = parse_url("https://user:pw@[::1]:8443/a/b?c=d#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->userinfo, "user:pw");
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path_query, "/a/b?c=d");
  EXPECT_EQ(u->authority(), "[::1]:8443");
  EXPECT_EQ(u->host_port(), "[::1]:8443");
  EXPECT_EQ(u->path(), "/a/b");
  EXPECT_EQ(u->to_string(), "https://[::1]:8443/a/b?c=d");
  EXPECT_EQ(parse_url("https://h/")->port, 443);
  EXPECT_EQ(parse_url("https://h/")->host_port(), "h:443");
}

TEST(Url, RejectsWhatIsNotAnHttpUrl) {
  EXPECT_FALSE(parse_url("ftp://x/"));
  EXPECT_FALSE(parse_url("/relative"));
  EXPECT_FALSE(parse_url("http:///nohost"));
  EXPECT_FALSE(parse_url("http://h:0/"));
  EXPECT_FALSE(parse_url("http://h:65536/"));
  EXPECT_FALSE(parse_url("http://h:8x/"));
  EXPECT_FALSE(parse_url("http://h/a b"));
  EXPECT_FALSE(parse_url("http://h/\r\nX: y"));
  EXPECT_FALSE(parse_url("http://[::1/"));
  EXPECT_FALSE(parse_url("http://ho st/"));
}

TEST(Url, Rfc3986_5_2_4_RemoveDotSegments) {
  EXPECT_EQ(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
  EXPECT_EQ(remove_dot_segments("mid/content=5/../6"), "mid/6");
  EXPECT_EQ(remove_dot_segments("/../../x"), "/x");
  EXPECT_EQ(remove_dot_segments("/a/.."), "/");
}

TEST(Url, Rfc3986_5_4_ResolveReferences) {
  const Url base = *parse_url("http://a/b/c/d;p?q");
  auto r = [&](std::string_view ref) { return resolve_url(base, ref)->to_string(); };
  EXPECT_EQ(r("g"), "http://a/b/c/g");
  EXPECT_EQ(r("./g"), "http://a/b/c/g");
  EXPECT_EQ(r("g/"), "http://a/b/c/g/");
  EXPECT_EQ(r("/g"), "http://a/g");
  EXPECT_EQ(r("//g"), "http://g/");
  EXPECT_EQ(r("?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(r("g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(r("#s"), "http://a/b/c/d;p?q");
  EXPECT_EQ(r(".."), "http://a/b/");
  EXPECT_EQ(r("../g"), "http://a/b/g");
  EXPECT_EQ(r("../../../g"), "http://a/g");
  EXPECT_EQ(r("https://x:1/y"), "https://x:1/y");
  EXPECT_FALSE(resolve_url(base, "mailto:x@y"));
}
