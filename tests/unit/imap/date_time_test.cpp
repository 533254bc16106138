// IMAP dates and date-times (RFC 9051 §9 date, date-time; §7.5.2 INTERNALDATE).
#include <gtest/gtest.h>

#include "imap/date_time.hpp"

namespace endhost::imap {
namespace {

TEST(ImapDate, Parse) {
  EXPECT_EQ(parse_date("1-Feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date("01-feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date("29-Feb-2000"), (Date{2000, 2, 29}));
  for (const char* bad : {"29-Feb-1900", "31-Apr-2020", "0-Jan-2020", "001-Jan-2020", "1-Jan-94",
                          "1-Foo-2020", "1 Jan 2020", "1-Jan-2020 ", "", "1-Jan-0000", "32-Jan-2020"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
}

TEST(ImapDateTime, ParseRfcExample) {
  // RFC 3501 §6.3.11 APPEND example's date, and its UTC instant.
  const auto dt = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(dt);
  EXPECT_EQ(dt->unix_seconds, 837596665);  // 1996-07-17 09:44:25 UTC
  EXPECT_EQ(dt->tz_offset_minutes, -420);
  const auto spaced = parse_date_time(" 7-Jul-1996 02:44:25 +0130");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->tz_offset_minutes, 90);
}

TEST(ImapDateTime, ParseRefusals) {
  for (const char* bad :
       {"17-Jul-1996 24:00:00 +0000", "17-Jul-1996 02:60:00 +0000", "17-Jul-1996 02:44:60 +0000",
        "17-Jul-1996 02:44:25 +0060", "17-Jul-1996 02:44:25 -2400", "17-Jul-1996 02:44:25 0700",
        "7-Jul-1996 02:44:25 +0000", "17-Jul-1996 2:44:25 +0000", "17-Jul-1996  02:44:25 +0000",
        "31-Jun-1996 02:44:25 +0000", "17-Jul-1996T02:44:25 +0000"}) {
    EXPECT_FALSE(parse_date_time(bad)) << bad;
  }
}

TEST(ImapDateTime, Format) {
  EXPECT_EQ(format_internal_date(837596665, -420), "\"17-Jul-1996 02:44:25 -0700\"");
  EXPECT_EQ(format_internal_date(0), "\" 1-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(format_internal_date(-1), "\"31-Dec-1969 23:59:59 +0000\"");
  EXPECT_EQ(format_internal_date(1709164800, 60), "\"29-Feb-2024 01:00:00 +0100\"");
}

TEST(ImapDateTime, FormatParsesBack) {
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1700000000},
                         std::int64_t{-2208988800}, std::int64_t{253402214400}}) {
    for (int tz : {0, -420, 330, 23 * 60 + 59}) {
      const std::string text = format_internal_date(t, tz);
      const auto back = parse_date_time(std::string_view(text).substr(1, text.size() - 2));
      ASSERT_TRUE(back) << text;
      EXPECT_EQ(back->unix_seconds, t) << text;
      EXPECT_EQ(back->tz_offset_minutes, tz) << text;
    }
  }
}

TEST(ImapDateTime, FormatClampsToTheYearsItCanWrite) {
  EXPECT_EQ(format_internal_date(INT64_MAX), "\"31-Dec-9999 23:59:59 +0000\"");
  EXPECT_EQ(format_internal_date(INT64_MIN), "\" 1-Jan-0001 00:00:00 +0000\"");
}

TEST(ImapDate, CivilDays) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
  }
}

}  // namespace
}  // namespace endhost::imap
