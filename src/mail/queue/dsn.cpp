#include "mail/queue/dsn.hpp"

#include <chrono>
#include <cstdio>

namespace endhost::mail::queue {

std::string rfc5322_date(core::WallTime t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd(days);
  const hh_mm_ss hms(t - days);
  static constexpr const char* wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %d %02d:%02d:%02d +0000", wd[weekday(days).c_encoding()],
                static_cast<unsigned>(ymd.day()), mo[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

namespace {

// The header of `message`: everything up to the first empty line (CRLF CRLF), with its last CRLF.
std::string_view header_of(std::string_view message) {
  const std::size_t end = message.find("\r\n\r\n");
  return end == std::string_view::npos ? message : message.substr(0, end + 2);
}

// Status fields take only printable ASCII (RFC 3464 §2.1.1 text is US-ASCII): anything else becomes '?'.
std::string ascii(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

}  // namespace

std::string build_dsn(const DsnInput& in) {
  const std::string boundary = in.queue_id + "/" + in.reporting_host;
  const bool whole = in.original.size() <= kDsnReturnLimit;
  std::string m;
  m += "From: Mail Delivery System <MAILER-DAEMON@" + in.reporting_host + ">\r\n";
  m += "To: <" + in.sender + ">\r\n";
  m += "Subject: Undelivered Mail Returned to Sender\r\n";
  m += "Date: " + rfc5322_date(in.now) + "\r\n";
  m += "Message-ID: <" + in.queue_id + "B@" + in.reporting_host + ">\r\n";
  // RFC 3834 §5: an automatic reply, so that auto-responders do not answer it.
  m += "Auto-Submitted: auto-replied\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n";
  m += "Content-Transfer-Encoding: " + std::string(in.original_8bit && whole ? "8bit" : "7bit") + "\r\n";
  m += "\r\nThis is a MIME-encapsulated message.\r\n\r\n";

  m += "--" + boundary + "\r\n";
  m += "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += "This is the mail system at host " + in.reporting_host + ".\r\n\r\n";
  m += "I'm sorry to have to inform you that your message could not\r\n";
  m += "be delivered to one or more recipients. It's attached below.\r\n\r\n";
  for (const auto& f : in.failed) {
    m += "<" + ascii(f.address) + ">: ";
    if (!f.remote.empty()) m += "host " + ascii(f.remote) + " said: ";
    m += ascii(f.diagnostic) + "\r\n";
  }
  m += "\r\n";

  // RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields.
  m += "--" + boundary + "\r\n";
  m += "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  m += "Reporting-MTA: dns; " + in.reporting_host + "\r\n";
  m += "X-Endhost-Queue-ID: " + in.queue_id + "\r\n";
  m += "Arrival-Date: " + rfc5322_date(in.arrival) + "\r\n";
  for (const auto& f : in.failed) {
    m += "\r\n";
    m += "Final-Recipient: rfc822; " + ascii(f.address) + "\r\n";
    m += "Action: failed\r\n";
    m += "Status: " + ascii(f.status) + "\r\n";
    if (!f.remote.empty() && f.remote != "local") {
      std::string host = f.remote.substr(0, f.remote.find('['));
      m += "Remote-MTA: dns; " + ascii(host) + "\r\n";
      m += "Diagnostic-Code: smtp; " + ascii(f.diagnostic) + "\r\n";
    } else {
      m += "Diagnostic-Code: X-Endhost; " + ascii(f.diagnostic) + "\r\n";
    }
    m += "Last-Attempt-Date: " + rfc5322_date(in.now) + "\r\n";
  }
  m += "\r\n";

  m += "--" + boundary + "\r\n";
  if (whole) {
    m += "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n";
    if (in.original_8bit) m += "Content-Transfer-Encoding: 8bit\r\n";
    m += "\r\n";
    m += in.original;
  } else {
    m += "Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n";
    m += header_of(in.original);
  }
  if (m.size() < 2 || m.compare(m.size() - 2, 2, "\r\n") != 0) m += "\r\n";
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace endhost::mail::queue
