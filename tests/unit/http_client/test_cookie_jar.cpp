// RFC 6265: Set-Cookie parsing (§5.2), storage (§5.3), the Cookie header (§5.4), and curl's Netscape
// cookie-file format.
#include <gtest/gtest.h>

#include "http/client/cookie_jar.hpp"

using namespace endhost::http;

namespace {
const std::int64_t now = 1'700'000'000;
Url url(std::string_view s) {
  return *parse_url(s);
}
}  // namespace

TEST(CookieJar, Rfc6265_5_4_SendsStoredCookieBackToTheSameHost) {
  CookieJar jar;
  ASSERT_TRUE(jar.set("sid=abc123", url("http://www.example.com/a/b"), now));
  EXPECT_EQ(jar.header_for(url("http://www.example.com/a/c"), now), "sid=abc123");
  EXPECT_EQ(jar.header_for(url("http://other.example.com/a/c"), now), "");  // host-only
}

TEST(CookieJar, Rfc6265_5_1_4_DefaultPathIsTheDirectoryOfTheRequest) {
  EXPECT_EQ(default_cookie_path("/a/b/c"), "/a/b");
  EXPECT_EQ(default_cookie_path("/a"), "/");
  EXPECT_EQ(default_cookie_path(""), "/");
  CookieJar jar;
  jar.set("x=1", url("http://h.test/docs/page"), now);
  EXPECT_EQ(jar.header_for(url("http://h.test/docs/other"), now), "x=1");
  EXPECT_EQ(jar.header_for(url("http://h.test/images/a"), now), "");
}

TEST(CookieJar, Rfc6265_5_1_4_PathMatch) {
  EXPECT_TRUE(path_match("/docs", "/docs"));
  EXPECT_TRUE(path_match("/docs/a", "/docs"));
  EXPECT_TRUE(path_match("/docs/a", "/docs/"));
  EXPECT_FALSE(path_match("/docsx", "/docs"));
  EXPECT_FALSE(path_match("/", "/docs"));
}

TEST(CookieJar, Rfc6265_5_1_3_DomainMatch) {
  EXPECT_TRUE(domain_match("www.example.com", "example.com"));
  EXPECT_TRUE(domain_match("example.com", "example.com"));
  EXPECT_FALSE(domain_match("badexample.com", "example.com"));
  EXPECT_FALSE(domain_match("1.2.3.4", "2.3.4"));
}

TEST(CookieJar, Rfc6265_5_2_3_DomainAttributeCoversSubdomains) {
  CookieJar jar;
  ASSERT_TRUE(jar.set("d=1; Domain=.Example.com; Path=/", url("http://www.example.com/"), now));
  EXPECT_EQ(jar.header_for(url("http://api.example.com/x"), now), "d=1");
  EXPECT_EQ(jar.header_for(url("http://example.com/"), now), "d=1");
  EXPECT_EQ(jar.header_for(url("http://example.org/"), now), "");
}

TEST(CookieJar, Rfc6265_5_3_ForeignOrTopLevelDomainsAreIgnored) {
  CookieJar jar;
  std::string why;
  EXPECT_FALSE(jar.set("a=1; Domain=other.com", url("http://www.example.com/"), now, &why));
  EXPECT_EQ(why, "Domain does not match the request host");
  EXPECT_FALSE(jar.set("a=1; Domain=com", url("http://www.example.com/"), now));
  EXPECT_TRUE(jar.cookies().empty());
}

TEST(CookieJar, Rfc6265_5_2_2_MaxAgeWinsOverExpires) {
  CookieJar jar;
  jar.set("m=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Max-Age=60", url("http://h.test/"), now);
  ASSERT_EQ(jar.cookies().size(), 1u);
  EXPECT_EQ(jar.cookies()[0].expires, now + 60);
  EXPECT_EQ(jar.header_for(url("http://h.test/"), now + 59), "m=1");
  EXPECT_EQ(jar.header_for(url("http://h.test/"), now + 61), "");
}

TEST(CookieJar, Rfc6265_5_3_ExpiredCookieDeletesTheStoredOne) {
  CookieJar jar;
  jar.set("s=1; Path=/", url("http://h.test/"), now);
  jar.set("s=; Path=/; Max-Age=0", url("http://h.test/"), now);
  EXPECT_TRUE(jar.cookies().empty());
  jar.set("s=1; Path=/", url("http://h.test/"), now);
  jar.set("s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT", url("http://h.test/"), now);
  EXPECT_TRUE(jar.cookies().empty());
}

TEST(CookieJar, Rfc6265_5_1_1_CookieDates) {
  EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 GMT"), 1623233894);
  EXPECT_EQ(parse_cookie_date("Wednesday, 09-Jun-21 10:18:14 GMT"), 1623233894);
  EXPECT_EQ(parse_cookie_date("Wed Jun  9 10:18:14 2021"), 1623233894);
  EXPECT_FALSE(parse_cookie_date("tomorrow"));
  EXPECT_FALSE(parse_cookie_date("Wed, 32 Jun 2021 10:18:14 GMT"));
}

TEST(CookieJar, Rfc6265_5_4_LongerPathsFirstThenOlder) {
  CookieJar jar;
  jar.set("a=1; Path=/", url("http://h.test/"), now);
  jar.set("b=2; Path=/x/y", url("http://h.test/"), now);
  jar.set("c=3; Path=/x", url("http://h.test/"), now);
  EXPECT_EQ(jar.header_for(url("http://h.test/x/y/z"), now), "b=2; c=3; a=1");
}

TEST(CookieJar, Rfc6265_5_4_SecureCookiesOnlyOverHttps) {
  CookieJar jar;
  EXPECT_FALSE(jar.set("s=1; Secure", url("http://h.test/"), now));  // 6265bis: not from an insecure origin
  ASSERT_TRUE(jar.set("s=1; Secure; HttpOnly; SameSite=Strict", url("https://h.test/"), now));
  EXPECT_EQ(jar.header_for(url("http://h.test/"), now), "");
  EXPECT_EQ(jar.header_for(url("https://h.test/"), now), "s=1");
  EXPECT_TRUE(jar.cookies()[0].http_only);
  EXPECT_EQ(jar.cookies()[0].same_site, SameSite::strict);
}

TEST(CookieJar, Rfc6265_5_3_SameNameDomainPathReplaces) {
  CookieJar jar;
  jar.set("v=1", url("http://h.test/"), now);
  jar.set("v=2", url("http://h.test/"), now + 5);
  ASSERT_EQ(jar.cookies().size(), 1u);
  EXPECT_EQ(jar.header_for(url("http://h.test/"), now), "v=2");
}

TEST(CookieJar, Rfc6265_6_1_LimitsPerDomain) {
  CookieJar jar;
  for (int i = 0; i < 80; ++i) jar.set("c" + std::to_string(i) + "=1", url("http://h.test/"), now);
  EXPECT_EQ(jar.cookies().size(), CookieJar::max_per_domain);
  EXPECT_FALSE(jar.set("big=" + std::string(5000, 'x'), url("http://h.test/"), now));
}

TEST(CookieJar, NetscapeFileRoundTripAndCurlSyntax) {
  // A file as curl -c writes it.
  const std::string curl_file =
      "# Netscape HTTP Cookie File\n"
      "# https://curl.se/docs/http-cookies.html\n"
      "# This file was generated by libcurl! Edit at your own risk.\n\n"
      "#HttpOnly_h.test\tFALSE\t/\tFALSE\t0\tsession\tyes\n"
      ".example.com\tTRUE\t/app\tTRUE\t1900000000\tpref\tdark\n"
      "broken line\n";
  CookieJar jar;
  jar.load_netscape(curl_file, now);
  ASSERT_EQ(jar.cookies().size(), 2u);
  EXPECT_TRUE(jar.cookies()[0].http_only);
  EXPECT_TRUE(jar.cookies()[0].host_only);
  EXPECT_FALSE(jar.cookies()[0].expires);
  EXPECT_FALSE(jar.cookies()[1].host_only);
  EXPECT_TRUE(jar.cookies()[1].secure);
  EXPECT_EQ(jar.header_for(url("https://www.example.com/app/x"), now), "pref=dark");
  CookieJar again;
  again.load_netscape(jar.save_netscape(now), now);
  ASSERT_EQ(again.cookies().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(again.cookies()[i].name, jar.cookies()[i].name);
    EXPECT_EQ(again.cookies()[i].domain, jar.cookies()[i].domain);
    EXPECT_EQ(again.cookies()[i].host_only, jar.cookies()[i].host_only);
    EXPECT_EQ(again.cookies()[i].expires, jar.cookies()[i].expires);
    EXPECT_EQ(again.cookies()[i].http_only, jar.cookies()[i].http_only);
  }
  EXPECT_NE(jar.save_netscape(now).find("#HttpOnly_h.test\tFALSE\t/\tFALSE\t0\tsession\tyes\n"),
            std::string::npos);
}

// RFC 6265bis §5.6 step 1: a control character anywhere in the line ignores it; a tab inside the Path
// would add fields to the tab-separated cookie file (found by fuzz_http_cookie_jar).
TEST(CookieJar, Rfc6265bis_5_6_ControlCharactersAndTabsInThePathAreRefused) {
  CookieJar jar;
  std::string why;
  EXPECT_FALSE(jar.set("a=1; Path=/x\x01y", url("http://h.test/"), now, &why));
  EXPECT_EQ(why, "control character in the cookie");
  EXPECT_FALSE(jar.set("a=1; Path=/x\tTRUE\t/\tFALSE", url("http://h.test/"), now, &why));
  EXPECT_EQ(why, "tab in the cookie's Path");
  EXPECT_TRUE(jar.set("a=1;\tPath=/x\t", url("http://h.test/"), now));  // HTAB as white space is fine
  ASSERT_EQ(jar.cookies().size(), 1u);
  EXPECT_EQ(jar.cookies()[0].path, "/x");
  CookieJar again;
  again.load_netscape(jar.save_netscape(now), now);
  EXPECT_EQ(again.save_netscape(now), jar.save_netscape(now));
}
