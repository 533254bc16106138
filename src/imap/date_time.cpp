#include "imap/date_time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace endhost::imap {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digit(char c) {
  return c >= '0' && c <= '9';
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// 1..12 for a month name in any case, 0 otherwise.
int month_number(std::string_view name) {
  if (name.size() != 3) return 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    const std::string_view m = kMonths[i];
    if (lower(name[0]) == lower(m[0]) && lower(name[1]) == m[1] && lower(name[2]) == m[2]) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// `n` digits at `text[at..]` as a number, or -1.
int digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!digit(text[i])) return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// `-Mon-yyyy` after the day; fills month and year.
bool month_year(std::string_view rest, Date& d) {
  if (rest.size() != 9 || rest[0] != '-' || rest[4] != '-') return false;
  d.month = month_number(rest.substr(1, 3));
  d.year = digits(rest, 5, 4);
  return d.month != 0 && d.year >= 1 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  // date-day = 1*2DIGIT (RFC 9051 §9).
  std::size_t n = 0;
  while (n < text.size() && n < 3 && digit(text[n])) ++n;
  if (n == 0 || n > 2) return std::nullopt;
  Date d;
  d.day = digits(text, 0, n);
  if (!month_year(text.substr(n), d)) return std::nullopt;
  return d;
}

std::optional<DateTime> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz": 26 octets, the day's first one a digit or SP (date-day-fixed).
  if (text.size() != 26) return std::nullopt;
  Date d;
  if (text[0] == ' ') {
    d.day = digits(text, 1, 1);
  } else {
    d.day = digits(text, 0, 2);
  }
  if (d.day < 0 || !month_year(text.substr(2, 9), d)) return std::nullopt;
  if (text[11] != ' ' || text[14] != ':' || text[17] != ':' || text[20] != ' ') return std::nullopt;
  const int hh = digits(text, 12, 2), mm = digits(text, 15, 2), ss = digits(text, 18, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return std::nullopt;
  if (text[21] != '+' && text[21] != '-') return std::nullopt;
  const int zh = digits(text, 22, 2), zm = digits(text, 24, 2);
  if (zh < 0 || zh > 23 || zm < 0 || zm > 59) return std::nullopt;
  const int offset = (text[21] == '-' ? -1 : 1) * (zh * 60 + zm);
  DateTime out;
  out.tz_offset_minutes = offset;
  out.unix_seconds = days_from_civil(d) * 86400 + hh * 3600 + mm * 60 + ss - std::int64_t{offset} * 60;
  return out;
}

std::string format_internal_date(std::int64_t unix_seconds, int tz_offset_minutes) {
  // Years 1..9999 only: the format has four digits for the year.
  constexpr std::int64_t kMin = -62135596800;  // 0001-01-01 00:00:00 UTC
  constexpr std::int64_t kMax = 253402300799;  // 9999-12-31 23:59:59 UTC
  tz_offset_minutes = std::clamp(tz_offset_minutes, -(23 * 60 + 59), 23 * 60 + 59);
  const std::int64_t local =
      std::clamp(std::clamp(unix_seconds, kMin, kMax) + std::int64_t{tz_offset_minutes} * 60, kMin, kMax);
  std::int64_t days = local / 86400;
  std::int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const Date d = civil_from_days(days);
  const int zone = tz_offset_minutes < 0 ? -tz_offset_minutes : tz_offset_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%2d-%s-%04d %02d:%02d:%02d %c%02d%02d\"", d.day,
                kMonths[static_cast<std::size_t>(d.month - 1)].data(), d.year, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                tz_offset_minutes < 0 ? '-' : '+', zone / 60, zone % 60);
  return buf;
}

// http://howardhinnant.github.io/date_algorithms.html, days_from_civil and civil_from_days.
std::int64_t days_from_civil(const Date& date) {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (date.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  Date out;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = static_cast<int>(yoe + era * 400 + (out.month <= 2 ? 1 : 0));
  return out;
}

}  // namespace endhost::imap
