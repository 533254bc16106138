// The IMAP listener of `endhost mail serve` (--imap, issue 12 §2): one connection driven through
// imap::Session over the mail store, and the counters the IMAP sessions share.
#pragma once

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/metrics.hpp"
#include "mail/server/mail_server.hpp"

namespace endhost::mail::server {

struct ImapCounters {
  explicit ImapCounters(core::MetricsRegistry& metrics);
  core::Counter* sessions = nullptr;
  core::Counter* commands = nullptr;
  core::Counter* logins = nullptr;
  core::Counter* login_failures = nullptr;
  core::Counter* fetched = nullptr;   // messages FETCHed
  core::Counter* appended = nullptr;  // APPEND
  core::Counter* expunged = nullptr;
  core::Counter* starttls = nullptr;
};

// One IMAP connection, from the greeting to LOGOUT (or a timeout, a limit, a drain).
awaitable<void> serve_imap(core::Connection& conn, MailServer& server, const ImapCounters& counters);
// Past --max-connections: `* BYE` and close.
awaitable<void> refuse_imap(core::Connection& conn);

}  // namespace endhost::mail::server
