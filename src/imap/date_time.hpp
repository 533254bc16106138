// IMAP dates (RFC 9051 §9 `date`, used by SEARCH) and date-times (`date-time`, APPEND's internal date and
// the INTERNALDATE fetch item): parsing the text between the quotes, and formatting INTERNALDATE. Civil
// (proleptic Gregorian) arithmetic only; no clock, no time zone database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::imap {

// A calendar day: `1-Feb-1994` is {1994, 2, 1}. SEARCH compares dates "disregarding time and timezone"
// (RFC 9051 §6.4.4), so it stays a day, not an instant.
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..days in that month
  friend bool operator==(const Date&, const Date&) = default;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// A point in time with the zone it was written in: APPEND's `"17-Jul-1996 02:44:25 -0700"`.
struct DateTime {
  std::int64_t unix_seconds = 0;  // UTC
  int tz_offset_minutes = 0;      // -0700 is -420
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// `d-Mon-yyyy` or `dd-Mon-yyyy` (RFC 9051 §9 date-text; month names case-insensitive). Years 1..9999; the day
// must exist in that month. nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

// `dd-Mon-yyyy hh:mm:ss +zzzz` with the day as two digits or space and digit (RFC 9051 §9 date-time, without
// its quotes). Hours 0..23, minutes and seconds 0..59 (no leap second), zone -2359..+2359 (minutes < 60).
std::optional<DateTime> parse_date_time(std::string_view text);

// The same text for INTERNALDATE (RFC 9051 §7.5.2), with its quotes: `"17-Jul-1996 02:44:25 -0700"`,
// the instant shown in the given zone (day with a leading space when below 10: date-day-fixed). The instant
// is clamped to years 1..9999 and the zone to ±23:59, which is all the format can say.
std::string format_internal_date(std::int64_t unix_seconds, int tz_offset_minutes = 0);

// Days since 1970-01-01 of a civil date and back (Howard Hinnant's algorithms), for the session's SEARCH
// BEFORE/ON/SINCE comparisons against internal dates.
std::int64_t days_from_civil(const Date& date);
Date civil_from_days(std::int64_t days);

}  // namespace endhost::imap
