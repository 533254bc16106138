// The bounce: a delivery status notification (RFC 3464) in a multipart/report (RFC 6522) with a human
// part, the message/delivery-status part and the returned message, from MAILER-DAEMON@hostname to the
// envelope sender, sent with MAIL FROM:<> so that it is never bounced itself (RFC 5321 §4.5.5).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace endhost::mail::queue {

struct DsnRecipient {
  std::string address;
  std::string status;      // "5.1.1", "4.4.7"
  std::string remote;      // "mx.hamburger.edu[127.0.0.3]:25" or ""
  std::string diagnostic;  // the remote reply ("550 5.1.1 no such user") or our reason
};

struct DsnInput {
  std::string reporting_host;  // our hostname
  std::string queue_id;        // the original mail's
  core::WallTime arrival{};
  core::WallTime now{};
  std::string sender;  // the original envelope sender: the bounce's recipient
  std::vector<DsnRecipient> failed;
  std::string_view original;   // the message as queued
  bool original_8bit = false;  // declared as such (8BITMIME / SMTPUTF8)
};

// Whole messages up to this size are returned; larger ones only by their header (text/rfc822-headers).
inline constexpr std::size_t kDsnReturnLimit = 100 * 1024;

// The DSN as CRLF lines, ready to queue. Deterministic in its input (the boundary and Message-ID come from
// the queue id), so building it again after a crash gives the same message.
std::string build_dsn(const DsnInput& in);

// RFC 5322 §3.3 date-time: "Wed, 02 Dec 2026 17:05:00 +0000".
std::string rfc5322_date(core::WallTime t);

}  // namespace endhost::mail::queue
