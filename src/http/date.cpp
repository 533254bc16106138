#include "http/date.hpp"

#include <cstdint>

#include "http/civil_date.hpp"
#include "http/fields.hpp"

namespace endhost::http {

namespace {

constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view kLongDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
}

void put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// A small cursor over the input; every read checks bounds and fails the whole parse on a mismatch. Names
// (days, months, "GMT") compare without case: RFC 9110 §5.6.7 asks recipients to be robust, and caches
// that reject "jan" or "gmt" would treat a server's Expires as already past.
struct Cursor {
  std::string_view s;
  bool ok = true;

  bool literal(std::string_view lit) noexcept {
    if (ok && iequals(s.substr(0, lit.size()), lit))
      s.remove_prefix(lit.size());
    else
      ok = false;
    return ok;
  }
  unsigned digits(std::size_t n) noexcept {
    unsigned v = 0;
    if (!ok || s.size() < n) return ok = false, 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (s[i] < '0' || s[i] > '9') return ok = false, 0;
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    s.remove_prefix(n);
    return v;
  }
  unsigned month() noexcept {
    for (unsigned i = 0; i < 12; ++i)
      if (ok && iequals(s.substr(0, 3), kMonths[i])) {
        s.remove_prefix(3);
        return i + 1;
      }
    ok = false;
    return 0;
  }
  bool one_of(const std::string_view* names, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i)
      if (ok && iequals(s.substr(0, names[i].size()), names[i])) {
        s.remove_prefix(names[i].size());
        return true;
      }
    return ok = false;
  }
};

std::optional<std::time_t> make_time(std::int64_t y, unsigned mon, unsigned d, unsigned h, unsigned mi,
                                     unsigned sec) noexcept {
  // sec 60 is a leap second, which time_t cannot represent; treat it as :59 rather than reject a valid date.
  if (mon < 1 || mon > 12 || d < 1 || d > days_in_month(y, mon) || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  if (sec == 60) sec = 59;
  return static_cast<std::time_t>(days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + sec);
}

void time_of_day(Cursor& c, unsigned& h, unsigned& m, unsigned& s) noexcept {
  h = c.digits(2);
  c.literal(":");
  m = c.digits(2);
  c.literal(":");
  s = c.digits(2);
}

}  // namespace

std::array<char, http_date_size> format_http_date(std::time_t t) noexcept {
  std::int64_t secs = static_cast<std::int64_t>(t);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  if (days < days_from_civil(0, 1, 1)) days = days_from_civil(0, 1, 1), rem = 0;
  if (days > days_from_civil(9999, 12, 31)) days = days_from_civil(9999, 12, 31), rem = 86399;
  const CivilDate c = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>((days % 7 + 11) % 7);  // 1970-01-01 was a Thursday
  std::array<char, http_date_size> out{};
  char* p = out.data();
  const std::string_view dn = kDays[weekday], mn = kMonths[c.month - 1];
  p[0] = dn[0], p[1] = dn[1], p[2] = dn[2], p[3] = ',', p[4] = ' ';
  put2(p + 5, c.day);
  p[7] = ' ', p[8] = mn[0], p[9] = mn[1], p[10] = mn[2], p[11] = ' ';
  const auto year = static_cast<unsigned>(c.year);
  put2(p + 12, year / 100);
  put2(p + 14, year % 100);
  p[16] = ' ';
  put2(p + 17, static_cast<unsigned>(rem / 3600));
  p[19] = ':';
  put2(p + 20, static_cast<unsigned>(rem / 60 % 60));
  p[22] = ':';
  put2(p + 23, static_cast<unsigned>(rem % 60));
  p[25] = ' ', p[26] = 'G', p[27] = 'M', p[28] = 'T';
  return out;
}

std::string to_http_date(std::time_t t) {
  const auto a = format_http_date(t);
  return std::string(a.data(), a.size());
}

std::optional<std::time_t> parse_http_date(std::string_view s, std::optional<std::time_t> now) noexcept {
  unsigned h = 0, mi = 0, sec = 0;
  if (s.size() == 29 && s[3] == ',') {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    Cursor c{s};
    c.one_of(kDays, 7), c.literal(", ");
    const unsigned d = c.digits(2);
    c.literal(" ");
    const unsigned mon = c.month();
    c.literal(" ");
    const unsigned y = c.digits(4);
    c.literal(" ");
    time_of_day(c, h, mi, sec);
    c.literal(" GMT");
    if (!c.ok || !c.s.empty()) return std::nullopt;
    return make_time(y, mon, d, h, mi, sec);
  }
  if (s.size() == 24 && s[3] == ' ') {  // asctime: Sun Nov  6 08:49:37 1994
    Cursor c{s};
    c.one_of(kDays, 7), c.literal(" ");
    const unsigned mon = c.month();
    c.literal(" ");
    unsigned d = 0;
    if (!c.s.empty() && c.s[0] == ' ')
      c.literal(" "), d = c.digits(1);
    else
      d = c.digits(2);
    c.literal(" ");
    time_of_day(c, h, mi, sec);
    c.literal(" ");
    const unsigned y = c.digits(4);
    if (!c.ok || !c.s.empty()) return std::nullopt;
    return make_time(y, mon, d, h, mi, sec);
  }
  // rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
  Cursor c{s};
  c.one_of(kLongDays, 7), c.literal(", ");
  const unsigned d = c.digits(2);
  c.literal("-");
  const unsigned mon = c.month();
  c.literal("-");
  const unsigned yy = c.digits(2);
  c.literal(" ");
  time_of_day(c, h, mi, sec);
  c.literal(" GMT");
  if (!c.ok || !c.s.empty()) return std::nullopt;
  std::int64_t year = yy >= 70 ? 1900 + yy : 2000 + yy;
  if (now) {
    // RFC 9110 §5.6.7: a year more than 50 years in the future is the most recent past year with those
    // digits.
    const std::int64_t now_year = civil_from_days(static_cast<std::int64_t>(*now) / 86400).year;
    year = now_year - now_year % 100 + yy;
    if (year > now_year + 50)
      year -= 100;
    else if (year <= now_year - 50)
      year += 100;
  }
  return make_time(year, mon, d, h, mi, sec);
}

}  // namespace endhost::http
