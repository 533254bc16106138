// The POP3 server's session without the sockets (RFC 1939 with RFC 2449 CAPA and response codes, RFC 2595
// STLS, RFC 3206 [AUTH] [SYS/TEMP] [IN-USE], RFC 5034 SASL PLAIN): command lines in, replies out through a
// text::ReplyWriter, and for everything that needs the outside world (the password check, the mailbox and
// its lock, a message's bytes, the expunge at QUIT, TLS) an Action the I/O carries out and answers with a
// completion. The session never touches a socket, a file or a clock. It owns the protocol: the states, the
// snapshot's numbering and the deletion marks, the plain-text login rule, the limits and the error counts,
// the SASL exchange, and the bodies' dot-stuffing and TOP's cut.
//
// The I/O's loop (mail-server, src/mail/server/pop3_session.cpp):
//   1. greeting() queues the +OK (or refuse(why) instead: draining, too many connections);
//   2. send writer().pending() (writer().consumed(n) with what the socket took);
//   3. take the reader's events (text::CommandReader configured with reader_config(limits)):
//        Line  -> on_line(text)
//        Error -> on_read_error(error)
//      and carry out each Action before taking the next event (a line handed in while one is outstanding is
//      kept, bounded, and run by poll());
//   4. when the action's work is done call its completion, which may return a further Action; then poll()
//      until it returns None.
// Deadlines: read_timeout() before each read (RFC 1939 §3's autologout); on expiry on_timeout().
// A dropped connection, a timeout or any Close other than QUIT's deletes nothing: only Update does.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pop3/command_table.hpp"
#include "pop3/limits.hpp"
#include "pop3/top_filter.hpp"
#include "text/command_reader.hpp"
#include "text/read_error.hpp"
#include "text/reply_writer.hpp"

namespace endhost::pop3 {

struct ServerConfig {
  std::string hostname;          // the greeting: "+OK hamburger.edu POP3 endhost ready"
  bool tls_available = false;    // STLS is offered (a certificate is loaded)
  bool tls_active = false;       // implicit TLS (port 995, RFC 8314): STLS refused
  bool auth_available = false;   // a users file is loaded
  bool peer_is_trusted = false;  // loopback or --trusted-networks: USER/PASS, AUTH in plain text only then
  ServerLimits limits;
  ServerTimeouts timeouts;
};

// One message of the maildrop, as the snapshot taken at login shows it; message numbers are 1-based
// positions in that snapshot (RFC 1939 §5) and never change during the session.
struct MessageInfo {
  std::uint32_t uid = 0;   // the store's: what OpenMessage and Update name
  std::uint64_t size = 0;  // octets with CRLF line ends, before dot-stuffing (RFC 1939 §5 LIST, STAT)
  std::string unique_id;   // UIDL (RFC 1939 §7): 1 to 70 characters 0x21..0x7E, the same in every session
  friend bool operator==(const MessageInfo&, const MessageInfo&) = default;
};

// OpenMailbox's outcome.
enum class MailboxStatus {
  Opened,  // locked for this session; `messages` is the snapshot
  InUse,  // another POP3 session holds the lock: -ERR [IN-USE] (RFC 3206 §4, RFC 1939 §4 "maildrop locked")
  Failed,  // cannot be read now: -ERR [SYS/TEMP]
};
struct Mailbox {
  MailboxStatus status = MailboxStatus::Failed;
  std::vector<MessageInfo> messages;
};

// OpenMessage's outcome.
enum class MessageStatus {
  Opened,  // readable: ReadMessage follows
  Gone,    // expunged since the snapshot (by IMAP): -ERR, the session goes on
  Failed,  // cannot be read now: -ERR [SYS/TEMP]
};

namespace action {
struct None {
  friend bool operator==(const None&, const None&) = default;
};
// USER/PASS or AUTH PLAIN: check the password off the event loop, then login_result(ok). On a failure wait
// `failure_delay` before calling it.
struct VerifyLogin {
  std::string user, password;
  std::chrono::milliseconds failure_delay{0};
  friend bool operator==(const VerifyLogin&, const VerifyLogin&) = default;
};
// The password was right: lock `user`'s mailbox exclusively and take its snapshot, then mailbox_opened().
// From Opened on the I/O holds the lock until the connection ends, however it ends.
struct OpenMailbox {
  std::string user;
  friend bool operator==(const OpenMailbox&, const OpenMailbox&) = default;
};
// STLS answered +OK: send it, reader.discard_buffered() (RFC 2595 §4, CVE-2011-0411), handshake, then
// tls_ready(ok).
struct StartTls {
  friend bool operator==(const StartTls&, const StartTls&) = default;
};
// The writer is too full for the rest of a multi-line answer: send what is pending, then resume().
struct Flush {
  friend bool operator==(const Flush&, const Flush&) = default;
};
// RETR or TOP: open the message, then message_opened(). It stays open until the session returns an
// action other than ReadMessage or Flush.
struct OpenMessage {
  std::uint32_t uid = 0;
  friend bool operator==(const OpenMessage&, const OpenMessage&) = default;
};
// Read the open message's next bytes, at most `max`, and hand them to message_chunk(); or message_failed().
struct ReadMessage {
  std::size_t max = 0;
  friend bool operator==(const ReadMessage&, const ReadMessage&) = default;
};
// QUIT in TRANSACTION (RFC 1939 §6): expunge the messages marked deleted and set \Seen on those retrieved
// (and not deleted), then update_done(ok).
struct Update {
  std::vector<std::uint32_t> expunge;
  std::vector<std::uint32_t> seen;
  friend bool operator==(const Update&, const Update&) = default;
};
// Send what is pending, then close (and unlock the mailbox: nothing is deleted).
struct Close {
  friend bool operator==(const Close&, const Close&) = default;
};
}  // namespace action

using Action =
    std::variant<action::None, action::VerifyLogin, action::OpenMailbox, action::StartTls, action::Flush,
                 action::OpenMessage, action::ReadMessage, action::Update, action::Close>;

struct SessionStats {
  std::uint64_t commands = 0;
  std::uint64_t errors = 0;  // replies counted against max_errors
  std::uint64_t auth_failures = 0;
  std::uint64_t retrieved = 0;        // RETR answered whole
  std::uint64_t retrieved_bytes = 0;  // their bytes as read, before dot-stuffing
  std::uint64_t deleted = 0;          // expunged at QUIT
};

class ServerSession {
 public:
  explicit ServerSession(ServerConfig config);

  // The command reader the I/O should use: CRLF only, lines up to max(max_line - 2, max_auth_line) (the
  // session itself refuses a non-AUTH command past max_line).
  static text::ReaderConfig reader_config(const ServerLimits& limits);

  void greeting();                      // "+OK hostname POP3 endhost ready" (RFC 1939 §4)
  Action refuse(std::string_view why);  // "-ERR [SYS/TEMP] why" and Close, instead of a greeting or later

  Action on_line(std::string_view line);
  Action on_read_error(text::ReadError error);  // a bare CR/LF or an over-long line: -ERR, counted

  Action login_result(bool ok);            // VerifyLogin: OpenMailbox, or -ERR [AUTH]
  Action mailbox_opened(Mailbox mailbox);  // OpenMailbox: +OK and TRANSACTION, or -ERR [IN-USE]/[SYS/TEMP]
  Action tls_ready(bool ok);               // StartTls: ok -> a fresh AUTHORIZATION under TLS; else Close
  Action resume();                         // Flush: the rest of the answer
  Action message_opened(MessageStatus status);  // OpenMessage: +OK and ReadMessage, or -ERR
  // ReadMessage: the next bytes (at most its max; any split). `end`: the message has no more after them.
  Action message_chunk(std::string_view bytes, bool end);
  Action message_failed();      // reading broke off after the +OK: the answer cannot be finished: Close
  Action update_done(bool ok);  // Update: +OK signing off, or -ERR [SYS/TEMP]; then Close
  Action on_timeout();          // RFC 1939 §3: close without UPDATE and without a reply
  // Runs a line handed in while an action was outstanding. Call after each completion until None.
  Action poll();

  // The deadline for the next read: the autologout timer (RFC 1939 §3).
  std::chrono::seconds read_timeout() const { return config_.timeouts.autologout; }

  text::ReplyWriter& writer() { return writer_; }
  const text::ReplyWriter& writer() const { return writer_; }
  State state() const { return state_; }
  bool closing() const { return closing_; }  // Close was returned: read nothing more
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return state_ != State::Authorization; }
  const std::string& user() const { return user_; }  // the logged-in user ("" before)
  const std::vector<MessageInfo>& messages() const { return messages_; }
  bool deleted(std::size_t index) const { return index < deleted_.size() && deleted_[index]; }
  const SessionStats& stats() const { return stats_; }
  const ServerConfig& config() const { return config_; }

  // For --trace: the line as it may be printed (PASS's argument, AUTH's initial response and SASL
  // responses as "****"; APOP's digest is a one-time value and is shown). `in_sasl`: sasl_pending() was
  // true when the line came.
  static std::string traceable(std::string_view line, bool in_sasl);
  bool sasl_pending() const { return sasl_; }

 private:
  enum class Pending { None, Login, Mailbox, Tls, Listing, Message, Update };
  enum class Listing { List, Uidl };

  Action dispatch(std::string_view line);
  Action handle(Command command, std::string_view args);
  Action user(std::string_view args);
  Action pass(std::string_view args);
  Action apop(std::string_view args);
  Action auth(std::string_view args);
  Action sasl_response(std::string_view line);
  Action finish_plain(std::string_view decoded);
  Action capa();
  Action stls(std::string_view args);
  Action stat(std::string_view args);
  Action list(std::string_view args, Listing which);
  Action retrieve(std::string_view args, bool top);
  Action dele(std::string_view args);
  Action rset(std::string_view args);
  Action quit(std::string_view args);
  Action continue_listing();
  Action next_read();
  Action finish_message();

  // A message number (RFC 1939 §5: 1-based, in the snapshot, not deleted); else nullopt, with the -ERR
  // written and what to return in `refusal`.
  std::optional<std::size_t> message_index(std::string_view arg, Action& refusal);

  void ok(std::string_view text);
  void err(std::string_view text);
  Action refuse_line(std::string_view text, bool counted = true);  // -ERR, counted against max_errors
  Action close_after(bool ok, std::string_view text);
  Action checked(Action a);
  bool may_login_plaintext() const;
  std::string plaintext_refusal() const;
  std::string maildrop_summary() const;

  ServerConfig config_;
  text::ReplyWriter writer_;
  State state_ = State::Authorization;
  Pending pending_ = Pending::None;
  std::deque<std::string> deferred_;
  bool greeted_ = false;
  bool closing_ = false;
  bool close_returned_ = false;
  bool overflowed_ = false;
  bool tls_active_ = false;
  bool sasl_ = false;       // AUTH PLAIN sent "+ ": the next line is the response (RFC 5034 §4)
  std::string given_user_;  // USER's name, waiting for PASS
  std::string login_user_;  // the name being checked (VerifyLogin, OpenMailbox)
  std::string user_;        // logged in
  std::size_t errors_ = 0;
  std::size_t auth_failures_ = 0;

  // TRANSACTION: the snapshot and the session's marks on it.
  std::vector<MessageInfo> messages_;
  std::vector<bool> deleted_;
  std::vector<bool> retrieved_;
  std::size_t live_count_ = 0;
  std::uint64_t live_octets_ = 0;

  // A multi-line answer in progress.
  Listing listing_ = Listing::List;
  std::size_t listing_next_ = 0;
  std::size_t message_ = 0;  // RETR/TOP: the index
  bool message_open_ = false;
  std::optional<TopFilter> top_;  // TOP's cut; empty for RETR
  std::uint64_t message_bytes_ = 0;

  SessionStats stats_;
};

}  // namespace endhost::pop3
