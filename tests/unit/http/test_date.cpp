// HTTP-date (RFC 9110 §5.6.7).
#include <gtest/gtest.h>

#include "http/date.hpp"

namespace endhost::http {
namespace {

constexpr std::time_t k1994 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT: the RFC's example

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(to_http_date(k1994), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(to_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(to_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(to_http_date(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
  EXPECT_EQ(to_http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(HttpDate, ParsesAllThreeFormats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), k1994);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), k1994);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), k1994);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), k1994 + 10 * 86400);
}

TEST(HttpDate, Rfc850TwoDigitYearWithin50Years) {
  const std::time_t now_2026 = 1779148800;  // 2026-05-19
  // 2070 is not more than 50 years after 2026, so "70" means 2070 here; without `now`, the fixed pivot: 1970.
  EXPECT_EQ(to_http_date(*parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", now_2026)).substr(12, 4),
            "2070");
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
  EXPECT_EQ(to_http_date(*parse_http_date("Friday, 01-Jan-49 00:00:00 GMT", now_2026)),
            "Fri, 01 Jan 2049 00:00:00 GMT");
  EXPECT_EQ(to_http_date(*parse_http_date("Monday, 01-Jan-90 00:00:00 GMT", now_2026)),
            "Mon, 01 Jan 1990 00:00:00 GMT");
}

TEST(HttpDate, RejectsMalformed) {
  for (std::string_view s :
       {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTx", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
        "1994-11-06T08:49:37Z"}) {
    EXPECT_FALSE(parse_http_date(s)) << s;
  }
}

TEST(HttpDate, RoundTripsOverAWideRange) {
  for (std::time_t t = -86400 * 365 * 70LL; t < 86400 * 365 * 130LL; t += 86400 * 17 + 3607)
    ASSERT_EQ(parse_http_date(to_http_date(t)), t) << t;
}

TEST(DateCache, ReformatsOnlyWhenTheSecondChanges) {
  DateCache cache;
  const std::string_view a = cache.get(k1994);
  EXPECT_EQ(a, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.get(k1994).data(), a.data());
  EXPECT_EQ(cache.get(k1994 + 1), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.get(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace endhost::http
