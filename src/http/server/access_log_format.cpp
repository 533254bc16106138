#include "http/server/access_log_format.hpp"

#include "http/civil_date.hpp"
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
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const http::CivilDate c = http::civil_from_days(days);
  out += '[';
  put2(out, c.day);
  out += '/';
  out += kMonths[c.month - 1];
  out += '/';
  append_decimal(out, static_cast<std::uint64_t>(c.year < 0 ? 0 : c.year));
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

std::string_view remote_host(std::string_view peer) noexcept {
  peer = peer.substr(0, peer.rfind(':'));
  if (peer.size() >= 2 && peer.front() == '[') peer = peer.substr(1, peer.size() - 2);
  return peer;
}

}  // namespace endhost::web
