#include "http/server/access_log_format.hpp"

#include "http/server/response.hpp"

namespace endhost::web {

namespace {

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void put2(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

void append_clf_time(std::string& out, std::time_t t) {
  // Civil date from days since the epoch (Howard Hinnant's algorithm): no locale, no time zone database.
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  out += '[';
  put2(out, d);
  out += '/';
  out += kMonths[m - 1];
  out += '/';
  append_decimal(out, static_cast<std::uint64_t>(y < 0 ? 0 : y));
  out += ':';
  put2(out, static_cast<unsigned>(secs / 3600));
  out += ':';
  put2(out, static_cast<unsigned>(secs / 60 % 60));
  out += ':';
  put2(out, static_cast<unsigned>(secs % 60));
  out += " +0000]";
}

void append_log_escaped(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += '-';
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
}

void append_combined_log_line(std::string& out, const AccessLogEntry& e) {
  out += e.remote.empty() ? std::string_view("-") : e.remote;
  out += " - ";
  if (e.user.empty())
    out += '-';
  else
    append_log_escaped(out, e.user);
  out += ' ';
  append_clf_time(out, e.time);
  out += " \"";
  append_log_escaped(out, e.request);
  out += "\" ";
  append_decimal(out, e.status);
  out += ' ';
  if (e.bytes == 0)
    out += '-';
  else
    append_decimal(out, e.bytes);
  out += " \"";
  append_log_escaped(out, e.referer);
  out += "\" \"";
  append_log_escaped(out, e.user_agent);
  out += "\"\n";
}

}  // namespace endhost::web
