// The SMTP server's limits, each named after the RFC section or the Postfix parameter it follows. The
// session enforces them; the I/O reads `timeouts` for its deadlines and sizes its CommandReader from
// `reader_config()` (src/smtp/server_session.hpp).
#pragma once

#include <chrono>
#include <cstddef>

namespace endhost::smtp {

struct ServerLimits {
  std::size_t max_message_size =
      10'240'000;                    // SIZE (RFC 1870), 552 5.3.4 past it (Postfix message_size_limit)
  std::size_t max_recipients = 100;  // 452 4.5.3 past it (RFC 5321 §4.5.3.1.8; smtpd_recipient_limit 1000)
  std::size_t max_errors = 10;       // then 421 4.7.0 and close (smtpd_hard_error_limit 20; soft 10)
  std::size_t max_commands_before_mail = 50;  // commands without a MAIL: then 421 4.7.0 and close
                                              // (Postfix smtpd_junk_command_limit 100)
  std::size_t max_line = 512;                 // a command line with its CRLF (RFC 5321 §4.5.3.1.4)
  std::size_t max_auth_line = 12'288;         // an AUTH line or SASL response (RFC 4954 §4)
  std::size_t max_helo = 255;                 // the HELO/EHLO argument (a domain, RFC 5321 §4.5.3.1.2)
};

// RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for a command; the client's per-block DATA wait
// is 3 minutes (§4.5.3.2.5), which the server uses between the body's reads.
struct ServerTimeouts {
  std::chrono::seconds command{300};
  std::chrono::seconds data_block{180};
};

}  // namespace endhost::smtp
