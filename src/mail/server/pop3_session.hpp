// The POP3 listener of `endhost mail serve` (--pop3, issue 12 §1): one connection driven through
// pop3::ServerSession over the mail store's INBOX, and the counters the POP3 sessions share.
#pragma once

#include <string_view>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/metrics.hpp"
#include "mail/server/mail_server.hpp"

namespace endhost::mail::server {

struct Pop3Counters {
  explicit Pop3Counters(core::MetricsRegistry& metrics);
  core::Counter* sessions = nullptr;
  core::Counter* commands = nullptr;
  core::Counter* logins = nullptr;
  core::Counter* login_failures = nullptr;
  core::Counter* in_use = nullptr;     // logins refused because another session holds the mailbox
  core::Counter* retrieved = nullptr;  // RETR answered whole
  core::Counter* retrieved_bytes = nullptr;
  core::Counter* deleted = nullptr;  // messages expunged at QUIT
  core::Counter* starttls = nullptr;
};

// One POP3 connection, from the greeting to QUIT (or a timeout, a limit, a drain). The mailbox lock, when
// taken, is released however the connection ends; only QUIT from TRANSACTION deletes anything.
awaitable<void> serve_pop3(core::Connection& conn, MailServer& server, const Pop3Counters& counters);
// Past --max-connections: -ERR [SYS/TEMP] and close.
awaitable<void> refuse_pop3(core::Connection& conn);

// UIDL's value for a message whose file is `base` (the Maildir name before ':'): the name itself when it
// is a valid unique-id (RFC 1939 §7: 1 to 70 characters 0x21..0x7E), else the first 128 bits of its
// SHA-256 in hex, so that it is the same in every session and across restarts.
std::string pop3_unique_id(std::string_view base);

}  // namespace endhost::mail::server
