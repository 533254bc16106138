// RFC 5321 §4.4 trace information: Return-Path (added at final delivery, §4.4) and Received, in Postfix's
// shape, folded (RFC 5322 §2.2.3) so that no line passes 78 characters for ordinary names.
#include <chrono>
#include <cstdio>
#include <string>

#include "smtp/server_session.hpp"

namespace endhost::smtp {
namespace {

// RFC 5322 §3.3 date-time in UTC: "Wed, 02 Dec 2026 16:46:00 +0000". Civil date from days since the epoch
// (H. Hinnant's algorithm), so that no locale or time zone is read.
std::string rfc5322_date(core::WallTime now) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t secs = now.time_since_epoch().count();
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const int weekday = static_cast<int>(((days % 7) + 7) % 7);
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t year = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;
  char out[64];
  std::snprintf(out, sizeof out, "%s, %02d %s %04lld %02d:%02d:%02d +0000", kDays[weekday],
                static_cast<int>(day), kMonths[month - 1], static_cast<long long>(year),
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return out;
}

// Header text is never allowed to carry a line break or a control character from the peer.
std::string clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 32 || u == 127) ? '?' : c;
  }
  return out;
}

}  // namespace

std::string ServerSession::trace_headers(const Envelope& e, std::string_view hostname,
                                         std::string_view peer_ip, core::WallTime now) {
  std::string out = "Return-Path: <" + clean(e.reverse_path) + ">\r\n";
  // RFC 3848 §1 (ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP…): how the message came.
  std::string with = e.smtputf8 ? "UTF8SMTP" : (e.esmtp ? "ESMTP" : "SMTP");
  if (e.tls) with += 'S';
  if (!e.authenticated_user.empty()) with += 'A';
  out += "Received: from " + clean(e.helo.empty() ? std::string_view("unknown") : e.helo) + " (unknown [" +
         clean(peer_ip) + "])\r\n";
  out += "\tby " + clean(hostname) + " with " + with;
  if (!e.transaction_id.empty()) out += " id " + clean(e.transaction_id);
  // As Postfix: the recipient only when there is one, so that a message to many shows no one's address.
  if (e.recipients.size() == 1) {
    out += "\r\n\tfor <" + clean(e.recipients.front().address) + ">";
  }
  out += "; " + rfc5322_date(now) + "\r\n";
  return out;
}

}  // namespace endhost::smtp
