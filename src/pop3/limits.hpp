// The POP3 server's limits and timers, each named after the RFC section or the Dovecot setting it follows.
// The session enforces them; the I/O reads `timeouts` for its deadlines and the login delay, and sizes its
// CommandReader from ServerSession::reader_config().
#pragma once

#include <chrono>
#include <cstddef>

namespace endhost::pop3 {

struct ServerLimits {
  std::size_t max_line = 255;          // a command with its CRLF (RFC 2449 §4)
  std::size_t max_auth_line = 12'288;  // AUTH and SASL responses: not bound by the 255 (RFC 5034 §4)
  std::size_t max_errors = 10;         // refused commands in a row, then -ERR and close (Dovecot's 10)
  std::size_t max_auth_failures = 3;   // failed logins, then -ERR and close
  std::size_t max_deferred = 32;       // lines handed in while an action is outstanding (an I/O's mistake)
};

struct ServerTimeouts {
  // RFC 1939 §3: the autologout timer is at least 10 minutes; on expiry the session closes, no UPDATE.
  std::chrono::seconds autologout{600};
  // What the I/O waits before answering a failed login (Dovecot's auth_failure_delay, 2 s): password
  // guessing gets three tries per connection and no faster than this.
  std::chrono::milliseconds auth_failure_delay{2000};
};

}  // namespace endhost::pop3
