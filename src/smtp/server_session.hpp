// The SMTP server's session without the sockets (RFC 5321 with RFC 1870 SIZE, 2920 PIPELINING, 2034/3463
// ENHANCEDSTATUSCODES, 3207 STARTTLS, 4954 AUTH with 4616 PLAIN and LOGIN, 6152 8BITMIME, 6531 SMTPUTF8,
// 3030 CHUNKING/BDAT, 6409 submission): command lines in, replies out through a text::ReplyWriter, and for
// everything that needs the outside world an Action the I/O carries out and answers with a completion. The
// session never touches a socket, a file or a clock. It owns the protocol: the command table's states, the
// envelope, the relay rule (RecipientPolicy + authentication + relay_permitted), the limits and the error
// count, the SASL exchanges, the message body (bounded by max_message_size), and the smuggling rules.
//
// The I/O's loop (mail-server, src/mail/server/):
//   1. greeting() queues the 220 — unless bytes arrived before it could be sent: then pregreet_input()
//      (Postfix's smtpd_forbid_unauth_pipelining, postscreen's pregreet test);
//   2. send writer().pending() (writer().consumed(n) with what the socket took);
//   3. take the reader's events (text::CommandReader configured with reader_config(limits)):
//        Line   -> on_line(text, reader.has_buffered_input())
//        Error  -> on_read_error(error)      (in line mode)
//        DataChunk / DataEnd (after ReceiveData)       -> body_chunk(text) / data_end(error or nullopt)
//        LiteralChunk / LiteralEnd (after ReceiveChunk) -> body_chunk(text) / chunk_end()
//      and carry out each Action before taking the next event; while VerifyLogin, StartTls or Deliver is
//      outstanding take no event (a line handed in anyway is kept, bounded, and run by poll());
//   4. when the action's work is done call its completion (login_result, tls_ready, delivered), which may
//      return a further Action; then poll() until it returns None.
// Before waiting for input, send what is pending; a group's replies may be sent together (RFC 2920 §3.2) but
// must be on the wire when ends_group_pending() says so, or when the reader holds nothing more.
// Deadlines: read_timeout() before each read; on expiry on_timeout().
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

#include "core/clock.hpp"
#include "smtp/address.hpp"
#include "smtp/command_table.hpp"
#include "smtp/limits.hpp"
#include "text/command_reader.hpp"
#include "text/read_error.hpp"
#include "text/reply_writer.hpp"

namespace endhost::smtp {

struct ServerConfig {
  std::string hostname;        // greeting "220 hamburger.edu ESMTP endhost", Received: by
  bool submission = false;     // port 587 (RFC 6409 §4.3): MAIL needs AUTH; relaying is allowed after it
  bool tls_available = false;  // STARTTLS is offered (a certificate is loaded)
  bool tls_active = false;     // implicit TLS (port 465): STARTTLS refused
  bool tls_required =
      false;  // --require-tls: everything but EHLO, HELO, STARTTLS, NOOP, QUIT, HELP needs TLS
  bool auth_available = false;  // a users file is loaded: AUTH PLAIN LOGIN
  // The peer is on loopback or in --trusted-networks: AUTH over plain text is offered only then (issue §1;
  // RFC 4954 §4 says TLS; Postfix's mynetworks, Dovecot's login_trusted_networks).
  bool peer_is_trusted = false;
  bool relay_permitted = false;  // the peer is in --relay-from: any domain may be relayed
  std::string peer_address;      // text, for Received:
  ServerLimits limits;
  ServerTimeouts timeouts;
};

// Decides RCPT TO: local (and known), remote, or unknown local user. Implemented by mail-server (users file
// + --domain). `domain` is "" for `<postmaster>` without a domain (RFC 5321 §4.5.1: it is the local one).
// The local part is decoded (a quoted local part without quotes); compare it case-insensitively.
enum class RecipientKind { LocalUser, Remote, UnknownLocal };
struct RecipientVerdict {
  RecipientKind kind = RecipientKind::Remote;
  std::string local_user;  // LocalUser: the users-file name the mail goes to (postmaster -> --postmaster)
};
class RecipientPolicy {
 public:
  virtual ~RecipientPolicy() = default;
  virtual RecipientVerdict classify(std::string_view local_part, std::string_view domain) const = 0;
};

struct Envelope {            // one transaction
  std::string helo;          // what the client said in HELO/EHLO
  bool esmtp = false;        // EHLO (not HELO): Received: `with ESMTP`, else `with SMTP` (RFC 3848)
  std::string reverse_path;  // "" for <> (bounces); else local@domain
  struct Recipient {
    std::string address;  // local@domain ("postmaster" alone for <postmaster>)
    RecipientKind kind = RecipientKind::Remote;
    std::string local_user;  // the users-file name when LocalUser
  };
  std::vector<Recipient> recipients;
  bool eight_bit = false;                      // BODY=8BITMIME (RFC 6152)
  bool smtputf8 = false;                       // SMTPUTF8 (RFC 6531 §3.4)
  bool chunked = false;                        // the body came by BDAT (RFC 3030)
  std::optional<std::uint64_t> declared_size;  // SIZE= (RFC 1870)
  bool tls = false;
  std::string authenticated_user;  // "" when not authenticated
  std::string transaction_id;      // set by the I/O (mail-server) when the message begins, for Received:
};

namespace action {
struct None {
  friend bool operator==(const None&, const None&) = default;
};
// AUTH: check the password off the event loop, then login_result(ok). `user` is the SASL authcid.
struct VerifyLogin {
  std::string user, password;
  friend bool operator==(const VerifyLogin&, const VerifyLogin&) = default;
};
// STARTTLS answered 220: send it, reader.discard_buffered() (RFC 3207 §4.2, CVE-2011-0411), handshake, then
// tls_ready(ok).
struct StartTls {
  friend bool operator==(const StartTls&, const StartTls&) = default;
};
// DATA answered 354: reader.begin_data(max_size); DataChunk -> body_chunk(), DataEnd -> data_end().
struct ReceiveData {
  std::size_t max_size = 0;
  friend bool operator==(const ReceiveData&, const ReceiveData&) = default;
};
// BDAT n [LAST]: reader.read_counted(size); LiteralChunk -> body_chunk(), LiteralEnd -> chunk_end(). Always
// read the chunk, even one the session refuses (RFC 3030 §2: the client sends it anyway): the refusal is
// the answer at chunk_end(). `max_size` is what the session keeps at most; past it, it discards.
struct ReceiveChunk {
  std::size_t size = 0;
  bool last = false;
  std::size_t max_size = 0;
  friend bool operator==(const ReceiveChunk&, const ReceiveChunk&) = default;
};
// The whole message was read (message()): deliver durably, then delivered(outcome, queue_id). The 250
// is written only then (issue §1: nothing acknowledged before it is on disk).
struct Deliver {
  Envelope envelope;
};
// Send what is pending, then close.
struct Close {
  friend bool operator==(const Close&, const Close&) = default;
};
}  // namespace action

using Action = std::variant<action::None, action::VerifyLogin, action::StartTls, action::ReceiveData,
                            action::ReceiveChunk, action::Deliver, action::Close>;

enum class DeliveryOutcome {
  Accepted,          // 250 2.0.0
  TemporaryFailure,  // 451 4.3.0
  NoSpace,           // 452 4.3.1
  Rejected,          // 554 5.7.1 (policy)
  DkimFailed,        // 550 5.7.20 (RFC 7372 §3.1): --dkim-reject, and no signature passed
  SpfFailed,         // 550 5.7.23 (RFC 7372 §3.2): --spf-reject, and SPF said fail
};

struct SessionStats {
  std::uint64_t commands = 0;
  std::uint64_t errors = 0;         // replies counted against max_errors
  std::uint64_t messages = 0;       // accepted (250 after Deliver)
  std::uint64_t rejected_rcpt = 0;  // 550 / 554 at RCPT
  std::uint64_t auth_failures = 0;
  std::uint64_t pipelining_violations = 0;
};

class ServerSession {
 public:
  ServerSession(ServerConfig config, const RecipientPolicy& recipients);

  // The command reader the I/O should use: CRLF only, lines up to max(max_line, max_auth_line) (the session
  // itself refuses a non-AUTH command past max_line, RFC 5321 §4.5.3.1.4).
  static text::ReaderConfig reader_config(const ServerLimits& limits);

  void greeting();  // queues "220 hostname ESMTP endhost" (RFC 5321 §4.2; no enhanced code, RFC 2034 §3)
  Action pregreet_input();  // the client spoke before the 220 was sent: 554 5.5.0 and Close (nothing else)
  Action refuse(std::string_view why);  // instead of greeting(): "421 4.3.2 hostname why" and Close

  // One command line (without CRLF). `input_follows`: the reader already holds more bytes after it
  // (reader.has_buffered_input()): after a command that ends a pipelined group, or from a client that did
  // not say EHLO, that is a client that did not wait for the reply, and the session answers 554 5.5.0 and
  // Close (RFC 2920 §3.1, Postfix smtpd_forbid_unauth_pipelining).
  Action on_line(std::string_view line, bool input_follows = false);
  // A refused line (bare CR/LF, too long): 500 5.5.2; counted against max_errors.
  Action on_read_error(text::ReadError error);
  // Body bytes in order (DATA: dot-unstuffed, with CRLFs; BDAT: as sent).
  Action body_chunk(std::string_view bytes);
  // DataEnd of DATA: Deliver, or 552 5.3.4 / 550 5.6.0 (a bare CR or LF in the body) and stay in step.
  Action data_end(std::optional<text::ReadError> error);
  // A BDAT chunk was read: 250 for the chunk, or (LAST) Deliver, or the refusal owed for this BDAT.
  Action chunk_end();

  Action login_result(bool ok);  // VerifyLogin: 235 2.7.0 or 535 5.7.8
  Action tls_ready(bool ok);     // StartTls: ok -> a fresh session under TLS (RFC 3207 §4.2); else Close
  // Deliver: Accepted -> 250 2.0.0 with the queue id; the others as DeliveryOutcome says.
  Action delivered(DeliveryOutcome outcome, std::string queue_id);
  Action on_timeout();  // 421 4.4.2 and Close (RFC 5321 §4.5.3.2)
  // Runs a line handed in while an action was outstanding. Call after each completion until None.
  Action poll();

  // The replies written so far include one to a command that ends a pipelined group (RFC 2920 §3.1): send
  // them before reading on. Cleared by the next line.
  bool ends_group_pending() const { return ends_group_pending_; }
  // The deadline for the next read (RFC 5321 §4.5.3.2): data_block while a body is read, else command.
  std::chrono::seconds read_timeout() const;

  text::ReplyWriter& writer() { return writer_; }
  const text::ReplyWriter& writer() const { return writer_; }
  // The body read so far (the session keeps it, bounded by max_message_size); no trace headers.
  const std::string& message() const { return message_; }
  const Envelope& envelope() const { return envelope_; }
  State state() const { return state_; }
  bool closing() const { return closing_; }  // Close was returned: read nothing more
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return !user_.empty(); }
  const std::string& authenticated_user() const { return user_; }
  const SessionStats& stats() const { return stats_; }
  const ServerConfig& config() const { return config_; }

  // For --trace: the line as it may be printed (AUTH's initial response and SASL responses as "****").
  // `in_sasl`: the line is a SASL response (sasl_pending() was true when it came).
  static std::string traceable(std::string_view line, bool in_sasl);
  bool sasl_pending() const { return sasl_ != Sasl::None; }

  // Trace headers the I/O puts in front of the body (RFC 5321 §4.4): "Return-Path: <...>\r\n" and
  // "Received: from HELO (unknown [ip])\r\n\tby hostname with ESMTP[S][A] id ID\r\n\tfor <rcpt>; DATE\r\n"
  // (`for` only with one recipient, as Postfix: others' addresses are not shown; protocol per RFC 3848 and
  // RFC 6531 §3.7.3 UTF8SMTP…).
  static std::string trace_headers(const Envelope& e, std::string_view hostname, std::string_view peer_ip,
                                   core::WallTime now);

 private:
  enum class Pending { None, Login, Tls, Data, Chunk, Deliver };
  enum class Sasl { None, PlainResponse, LoginUser, LoginPassword };

  Action dispatch(std::string_view line, bool input_follows);
  Action handle(Command command, std::string_view args);
  Action helo(std::string_view args, bool extended);
  Action mail(std::string_view args);
  Action rcpt(std::string_view args);
  Action data(std::string_view args);
  Action bdat(std::string_view args);
  Action auth(std::string_view args);
  Action sasl_response(std::string_view line);
  Action finish_plain(std::string_view decoded);
  Action starttls(std::string_view args);
  Action refuse_line(int code, std::string_view text, bool counted = true);  // 5xx/4xx: counted error
  Action violation();
  Action close_after(int code, std::string_view text);
  Action checked(Action a);
  Action finish_message();
  void reply(int code, std::string_view text);
  void reply_lines(int code, const std::vector<std::string>& lines);
  void reset_transaction();
  bool count_error();  // true when the limit is now reached (the caller closes)
  bool may_auth() const;

  ServerConfig config_;
  const RecipientPolicy& recipients_;
  text::ReplyWriter writer_;
  State state_ = State::Start;
  Pending pending_ = Pending::None;
  Sasl sasl_ = Sasl::None;
  std::deque<std::pair<std::string, bool>> deferred_;
  bool greeted_ = false;
  bool closing_ = false;
  bool close_returned_ = false;
  bool overflowed_ = false;
  bool ends_group_pending_ = false;
  bool tls_active_ = false;
  std::string user_;       // authenticated
  std::string sasl_user_;  // LOGIN: the user name, waiting for the password
  std::string helo_;
  bool esmtp_ = false;
  Envelope envelope_;
  std::string message_;
  std::size_t errors_ = 0;
  std::size_t commands_without_mail_ = 0;
  // The body being read: its bytes past max_message_size are dropped and counted.
  bool body_too_large_ = false;
  std::uint64_t body_bytes_ = 0;
  // The BDAT being read: what is owed at chunk_end().
  struct Chunk {
    std::size_t size = 0;
    bool last = false;
    int refusal_code = 0;  // 0: accepted
    std::string refusal_text;
  } chunk_;
  SessionStats stats_;
};

}  // namespace endhost::smtp
