// The session's machinery: line intake (deferred lines), the commands (each in its own function), the
// multi-line answers (listings and message bodies, resumable when the writer fills), the completions, and
// reply formatting. Reply texts follow RFC 1939's examples where it gives one (`+OK 120 octets`,
// `-ERR message 2 already deleted`, `signing off`) and Dovecot's where a client or a tester may look for them
// (`Plaintext authentication disallowed on non-secure (SSL/TLS) connections.`), with RFC 2449 §8 response
// codes in brackets where RFC 3206 defines one.
#include "pop3/server_session.hpp"

#include <algorithm>
#include <charconv>

#include "smtp/sasl.hpp"
#include "text/dot_stuffer.hpp"
#include "text/verb.hpp"

namespace endhost::pop3 {
namespace {

// A refused line kept in deferred_ until its turn; a LF is never inside a line the reader returns.
constexpr std::string_view kKeptLineTooLong = "\nline too long";
constexpr std::string_view kKeptBareLf = "\nbare lf";
constexpr std::string_view kKeptBareCr = "\nbare cr";

// A body read is asked for only when this much fits; else the writer is sent first. The largest read is
// what an empty 64 KiB writer takes after dot-stuffing's worst case (every byte a line end or a dot).
constexpr std::size_t kMinRead = 512;
constexpr std::size_t kMaxRead = 32 * 1024;
// What a body chunk of n bytes may grow to, plus the body's end, must fit: 2n + 2 + 5 (DotStuffer).
constexpr std::size_t kBodyReserve = 2 + text::DotStuffer::kMaxFinish;

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = '?';
  }
  return out;
}

// RFC 1939 §3: a message number or a count of lines is a decimal number; past 2^64-1 it saturates (and is
// past any mailbox).
std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return ~std::uint64_t{0};
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

ServerSession::ServerSession(ServerConfig config)
    : config_(std::move(config)), tls_active_(config_.tls_active) {}

text::ReaderConfig ServerSession::reader_config(const ServerLimits& limits) {
  text::ReaderConfig config;
  config.line_ending = text::LineEnding::Crlf;  // RFC 1939 §3; smuggling (docs/internals/text.md)
  const std::size_t command = limits.max_line > 2 ? limits.max_line - 2 : limits.max_line;
  config.limits.max_line = std::max(command, limits.max_auth_line);
  config.limits.max_buffer = std::max<std::size_t>(16 * 1024, config.limits.max_line + 2);
  return config;
}

// ---- replies --------------------------------------------------------------------------------------------

void ServerSession::ok(std::string_view text) {
  errors_ = 0;  // the error limit counts refusals in a row, as Dovecot's bad_counter
  std::string line = printable(text);
  const std::size_t room = text::WriterLimits{}.max_reply_line - 6;  // "+OK " and CRLF
  if (line.size() > room) line.resize(room);
  if (!writer_.pop3_status(true, line)) {  // the I/O let the output pass its maximum: give up on the peer
    closing_ = true;
    overflowed_ = true;
  }
}

void ServerSession::err(std::string_view text) {
  std::string line = printable(text);
  const std::size_t room = text::WriterLimits{}.max_reply_line - 7;  // "-ERR " and CRLF
  if (line.size() > room) line.resize(room);
  if (!writer_.pop3_status(false, line)) {
    closing_ = true;
    overflowed_ = true;
  }
}

Action ServerSession::close_after(bool positive, std::string_view text) {
  if (positive) {
    ok(text);
  } else {
    err(text);
  }
  closing_ = true;
  close_returned_ = true;
  deferred_.clear();
  sasl_ = false;
  return action::Close{};
}

Action ServerSession::checked(Action a) {
  if (std::holds_alternative<action::Close>(a)) close_returned_ = true;
  if (overflowed_ && !close_returned_) {
    close_returned_ = true;
    return action::Close{};
  }
  return a;
}

Action ServerSession::refuse_line(std::string_view text, bool counted) {
  // One reply per command (RFC 1939 §3), so the one that reaches the limit says both things.
  if (counted) {
    ++stats_.errors;
    if (config_.limits.max_errors > 0 && ++errors_ >= config_.limits.max_errors)
      return close_after(false, std::string(text) + "; too many errors, closing");
  }
  err(text);
  return action::None{};
}

bool ServerSession::may_login_plaintext() const {
  // RFC 2595 §2.2 and RFC 5034 §4 want a protected channel for plain-text passwords; issue §1 allows
  // trusted peers (loopback, --trusted-networks) without TLS, as the SMTP server does for AUTH.
  return config_.auth_available && (tls_active_ || config_.peer_is_trusted);
}

std::string ServerSession::plaintext_refusal() const {
  if (!config_.auth_available) return "[AUTH] Logins are not enabled on this server";
  std::string text = "[AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";
  if (config_.tls_available && !tls_active_) text += " Use STLS first.";
  return text;
}

std::string ServerSession::maildrop_summary() const {
  return "maildrop has " + plural(live_count_, "message") + " (" + std::to_string(live_octets_) + " octets)";
}

// ---- the connection ---------------------------------------------------------------------------------------

void ServerSession::greeting() {
  if (greeted_) return;
  greeted_ = true;
  // RFC 1939 §4. No APOP timestamp: APOP cannot be offered (apop(), docs/internals/pop3.md), and a
  // timestamp is how a client learns that it is (§7).
  ok(config_.hostname + " POP3 endhost ready");
}

Action ServerSession::refuse(std::string_view why) {
  if (closing_) return action::None{};
  greeted_ = true;
  return checked(close_after(false, "[SYS/TEMP] " + std::string(why)));
}

Action ServerSession::on_timeout() {
  if (closing_) return action::None{};
  // RFC 1939 §3: the session does not enter UPDATE, and the server closes "without removing any messages
  // or sending any response to the client".
  closing_ = true;
  close_returned_ = true;
  deferred_.clear();
  return action::Close{};
}

// ---- line intake ------------------------------------------------------------------------------------------

Action ServerSession::on_line(std::string_view line) {
  if (closing_) return action::None{};
  // RFC 2595 §4 (CVE-2011-0411): nothing sent in the clear after STLS is acted on.
  if (pending_ == Pending::Tls) return action::None{};
  if (pending_ != Pending::None || !deferred_.empty()) {
    if (deferred_.size() >= config_.limits.max_deferred)
      return checked(close_after(false, "Too many commands sent ahead, closing"));
    deferred_.emplace_back(line);
    return pending_ == Pending::None ? poll() : action::None{};
  }
  return checked(dispatch(line));
}

Action ServerSession::on_read_error(text::ReadError error) {
  if (closing_ || pending_ == Pending::Tls) return action::None{};
  const std::string_view kept = error == text::ReadError::BareLf   ? kKeptBareLf
                                : error == text::ReadError::BareCr ? kKeptBareCr
                                                                   : kKeptLineTooLong;
  return on_line(kept);
}

Action ServerSession::poll() {
  if (overflowed_) return checked(action::None{});
  while (!closing_ && pending_ == Pending::None && !deferred_.empty()) {
    const std::string line = std::move(deferred_.front());
    deferred_.pop_front();
    Action next = dispatch(line);
    if (!std::holds_alternative<action::None>(next)) return checked(std::move(next));
  }
  return checked(action::None{});
}

Action ServerSession::dispatch(std::string_view line) {
  ++stats_.commands;
  if (line == kKeptLineTooLong || line == kKeptBareLf || line == kKeptBareCr) {
    sasl_ = false;  // a refused SASL response ends the exchange, as `*` does
    given_user_.clear();
    // RFC 1939 §3: lines end in CRLF; RFC 2449 §4: a command is at most 255 octets with it.
    return refuse_line(line == kKeptLineTooLong ? "Line too long"
                       : line == kKeptBareLf    ? "Bare LF received: lines end in CRLF"
                                                : "Bare CR received: lines end in CRLF");
  }
  if (sasl_) return sasl_response(line);
  const auto found = command_table().lookup(line, {state_, authenticated(), tls_active_, false});
  // RFC 1939 §7: PASS must come right after a successful USER; any other line in between forgets the name.
  if (!(found.verdict == text::Verdict::Allowed && found.command->id == Command::Pass)) given_user_.clear();
  const bool is_auth = found.command && found.command->id == Command::Auth;
  // RFC 2449 §4: 255 octets with CRLF; RFC 5034 §4 lifts it for AUTH's initial response.
  if (!is_auth && line.size() + 2 > config_.limits.max_line) return refuse_line("Line too long");
  switch (found.verdict) {
    case text::Verdict::Allowed:
      return handle(found.command->id, found.args);
    case text::Verdict::Unknown:
      return refuse_line(line.empty() ? "Empty command" : "Unknown command");
    case text::Verdict::RefusedUnderTls:
      return refuse_line("TLS is already active");
    case text::Verdict::NeedsTls:
    case text::Verdict::NeedsAuth:
      return refuse_line("Log in first");
    case text::Verdict::WrongState:
      if (state_ == State::Authorization) return refuse_line("Log in first (USER and PASS, or AUTH)");
      if (found.command->id == Command::Stls)
        return refuse_line("STLS only before logging in (RFC 2595 section 4)");
      return refuse_line("Already logged in");
  }
  return action::None{};
}

Action ServerSession::handle(Command command, std::string_view args) {
  switch (command) {
    case Command::User:
      return user(args);
    case Command::Pass:
      return pass(args);
    case Command::Apop:
      return apop(args);
    case Command::Auth:
      return auth(args);
    case Command::Capa:
      if (!args.empty()) return refuse_line("Syntax: CAPA");
      return capa();
    case Command::Stls:
      return stls(args);
    case Command::Stat:
      return stat(args);
    case Command::List:
      return list(args, Listing::List);
    case Command::Uidl:
      return list(args, Listing::Uidl);
    case Command::Retr:
      return retrieve(args, false);
    case Command::Top:
      return retrieve(args, true);
    case Command::Dele:
      return dele(args);
    case Command::Noop:
      if (!args.empty()) return refuse_line("Syntax: NOOP");
      ok("");
      return action::None{};
    case Command::Rset:
      return rset(args);
    case Command::Quit:
      return quit(args);
  }
  return action::None{};
}

// ---- AUTHORIZATION: USER/PASS (RFC 1939 §7), APOP, AUTH PLAIN (RFC 5034, RFC 4616) -------------------

Action ServerSession::user(std::string_view args) {
  given_user_.clear();
  if (args.empty()) return refuse_line("Syntax: USER name");
  if (!may_login_plaintext()) return refuse_line(plaintext_refusal());
  // Whether the user exists is not said here (nor after PASS): the answer would list the users file.
  given_user_ = std::string(args);
  ok("");
  return action::None{};
}

Action ServerSession::pass(std::string_view args) {
  if (given_user_.empty()) return refuse_line("No username given: USER first");
  // RFC 1939 §7: the password is the rest of the line, spaces included.
  if (args.empty()) {
    given_user_.clear();
    return refuse_line("Syntax: PASS password");
  }
  login_user_ = std::exchange(given_user_, {});
  pending_ = Pending::Login;
  return action::VerifyLogin{login_user_, std::string(args), config_.timeouts.auth_failure_delay};
}

Action ServerSession::apop(std::string_view args) {
  (void)args;
  // RFC 1939 §7: APOP's digest is MD5(timestamp + the shared secret), so the server needs the password
  // itself. The users file holds only salted slow hashes (auth/password_scheme.hpp refuses plain text), so
  // no APOP can ever be checked; the greeting carries no timestamp, as Dovecot's when APOP is off.
  return refuse_line(
      "[AUTH] APOP is not available: passwords are kept as salted hashes. Use USER/PASS or AUTH PLAIN");
}

Action ServerSession::auth(std::string_view args) {
  if (args.empty()) {
    // RFC 1734's AUTH without a mechanism, which clients still send: the mechanisms, as Dovecot lists them.
    if (!may_login_plaintext()) return refuse_line(plaintext_refusal());
    ok("");
    if (!writer_.body("PLAIN\r\n") || !writer_.body_end()) overflowed_ = closing_ = true;
    return action::None{};
  }
  const text::Verb parts = text::split_verb(args);
  if (!text::iequals(parts.verb, "PLAIN")) return refuse_line("Unsupported authentication mechanism");
  if (!may_login_plaintext()) return refuse_line(plaintext_refusal());
  if (parts.args.empty()) {
    // RFC 5034 §4: "+" SP and the (empty) base64 challenge.
    sasl_ = true;
    if (!writer_.raw("+ \r\n")) overflowed_ = closing_ = true;
    return action::None{};
  }
  // RFC 5034 §4: an initial response; "=" is an empty one.
  std::optional<std::string> decoded =
      parts.args == "=" ? std::optional<std::string>("") : smtp::base64_decode(parts.args);
  if (!decoded) return refuse_line("Invalid base64 data in the initial response");
  return finish_plain(*decoded);
}

Action ServerSession::sasl_response(std::string_view line) {
  sasl_ = false;
  // RFC 5034 §4: "*" cancels, and the server answers -ERR.
  if (line == "*") return refuse_line("Authentication canceled", false);
  auto decoded = smtp::base64_decode(line);
  if (!decoded) return refuse_line("Invalid base64 data in the response");
  return finish_plain(*decoded);
}

Action ServerSession::finish_plain(std::string_view decoded) {
  auto credentials = smtp::parse_plain(decoded);
  if (!credentials) return refuse_line("[AUTH] Malformed PLAIN message");
  // RFC 4616 §2: acting as another identity is not offered; an authzid equal to the authcid is harmless.
  if (!credentials->authzid.empty() && credentials->authzid != credentials->authcid) {
    login_user_.clear();
    pending_ = Pending::Login;
    return login_result(false);
  }
  login_user_ = credentials->authcid;
  pending_ = Pending::Login;
  return action::VerifyLogin{std::move(credentials->authcid), std::move(credentials->password),
                             config_.timeouts.auth_failure_delay};
}

Action ServerSession::login_result(bool ok_) {
  if (pending_ != Pending::Login) return action::None{};
  if (ok_) {
    pending_ = Pending::Mailbox;
    return action::OpenMailbox{login_user_};
  }
  pending_ = Pending::None;
  login_user_.clear();
  ++stats_.auth_failures;
  if (config_.limits.max_auth_failures > 0 && ++auth_failures_ >= config_.limits.max_auth_failures)
    return checked(close_after(false, "[AUTH] Authentication failed; too many failures, closing"));
  err("[AUTH] Authentication failed.");
  return checked(action::None{});
}

Action ServerSession::mailbox_opened(Mailbox mailbox) {
  if (pending_ != Pending::Mailbox) return action::None{};
  pending_ = Pending::None;
  switch (mailbox.status) {
    case MailboxStatus::Opened:
      break;
    case MailboxStatus::InUse:
      // RFC 1939 §4: the maildrop cannot be locked: -ERR, and AUTHORIZATION goes on.
      login_user_.clear();
      err("[IN-USE] Mailbox is locked by another POP3 session");
      return checked(action::None{});
    case MailboxStatus::Failed:
      login_user_.clear();
      err("[SYS/TEMP] Cannot open the mailbox; try again later");
      return checked(action::None{});
  }
  state_ = State::Transaction;
  user_ = std::exchange(login_user_, {});
  messages_ = std::move(mailbox.messages);
  deleted_.assign(messages_.size(), false);
  retrieved_.assign(messages_.size(), false);
  live_count_ = messages_.size();
  live_octets_ = 0;
  for (const auto& m : messages_) live_octets_ += m.size;
  // RFC 1939 §7's example: "+OK mrose's maildrop has 2 messages (320 octets)".
  ok(user_ + "'s " + maildrop_summary());
  return checked(action::None{});
}

// ---- STLS (RFC 2595 §4) and CAPA (RFC 2449 §5)
// -------------------------------------------------------------

Action ServerSession::stls(std::string_view args) {
  if (!args.empty()) return refuse_line("Syntax: STLS");
  if (!config_.tls_available) return refuse_line("TLS is not available");
  ok("Begin TLS negotiation");
  pending_ = Pending::Tls;
  return action::StartTls{};
}

Action ServerSession::tls_ready(bool ok_) {
  if (pending_ != Pending::Tls) return action::None{};
  pending_ = Pending::None;
  if (!ok_) {  // nothing can be said: the channel is neither plain nor protected
    closing_ = true;
    close_returned_ = true;
    deferred_.clear();
    return action::Close{};
  }
  // RFC 2595 §4: the client must discard what it learnt (CAPA again); the server forgets the USER name.
  tls_active_ = true;
  deferred_.clear();
  given_user_.clear();
  sasl_ = false;
  return action::None{};
}

Action ServerSession::capa() {
  // RFC 2449 §5: what is available in AUTHORIZATION is announced in both states. Only what is true:
  // USER and SASL where a plain-text login is allowed, STLS before TLS; EXPIRE NEVER since nothing is ever
  // removed but by DELE (§6.7); AUTH-RESP-CODE for [AUTH] (RFC 3206 §6). No LOGIN-DELAY: none is enforced.
  ok("Capability list follows");
  std::string lines = "TOP\r\n";
  if (may_login_plaintext()) lines += "USER\r\nSASL PLAIN\r\n";
  lines += "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\nEXPIRE NEVER\r\n";
  if (config_.tls_available && !tls_active_) lines += "STLS\r\n";
  lines += "IMPLEMENTATION endhost\r\n";
  if (!writer_.body(lines) || !writer_.body_end()) overflowed_ = closing_ = true;
  return action::None{};
}

// ---- TRANSACTION (RFC 1939 §5)
// -----------------------------------------------------------------------------

std::optional<std::size_t> ServerSession::message_index(std::string_view arg, Action& refusal) {
  const auto n = parse_number(arg);
  if (!n) {
    refusal = refuse_line("Invalid message number");
    return std::nullopt;
  }
  if (*n == 0 || *n > messages_.size()) {
    refusal = refuse_line("No such message, only " + plural(messages_.size(), "message") + " in maildrop");
    return std::nullopt;
  }
  const std::size_t index = static_cast<std::size_t>(*n - 1);
  if (deleted_[index]) {
    refusal = refuse_line("Message " + std::to_string(*n) + " already deleted");
    return std::nullopt;
  }
  return index;
}

Action ServerSession::stat(std::string_view args) {
  if (!args.empty()) return refuse_line("Syntax: STAT");
  ok(std::to_string(live_count_) + " " + std::to_string(live_octets_));  // RFC 1939 §5: "+OK nn mm"
  return action::None{};
}

Action ServerSession::list(std::string_view args, Listing which) {
  if (!args.empty()) {
    Action refusal;
    const auto index = message_index(args, refusal);
    if (!index) return refusal;
    const MessageInfo& m = messages_[*index];
    ok(std::to_string(*index + 1) + " " + (which == Listing::List ? std::to_string(m.size) : m.unique_id));
    return action::None{};
  }
  if (which == Listing::List) {
    ok(plural(live_count_, "message") + " (" + std::to_string(live_octets_) + " octets)");
  } else {
    ok("");
  }
  listing_ = which;
  listing_next_ = 0;
  pending_ = Pending::Listing;
  return continue_listing();
}

Action ServerSession::continue_listing() {
  std::string line;
  for (; listing_next_ < messages_.size(); ++listing_next_) {
    if (deleted_[listing_next_]) continue;  // RFC 1939 §5: deleted messages are not listed
    const MessageInfo& m = messages_[listing_next_];
    line = std::to_string(listing_next_ + 1);
    line += ' ';
    line += listing_ == Listing::List ? std::to_string(m.size) : m.unique_id;
    line += "\r\n";
    if (writer_.room() < text::DotStuffer::max_output(line.size()) + text::DotStuffer::kMaxFinish)
      return action::Flush{};  // a 100,000-message listing is sent in pieces, never held whole
    if (!writer_.body(line)) {
      overflowed_ = closing_ = true;
      return checked(action::None{});
    }
  }
  pending_ = Pending::None;
  if (!writer_.body_end()) overflowed_ = closing_ = true;
  return checked(action::None{});
}

Action ServerSession::resume() {
  if (closing_) return action::None{};
  if (pending_ == Pending::Listing) return continue_listing();
  if (pending_ == Pending::Message && message_open_) return next_read();
  return action::None{};
}

Action ServerSession::retrieve(std::string_view args, bool top) {
  const text::Verb parts = text::split_verb(args);
  std::optional<std::uint64_t> lines;
  if (top) {
    lines = parse_number(parts.args);
    if (parts.verb.empty() || !lines) return refuse_line("Syntax: TOP msg n");
  } else if (parts.verb.empty() || !parts.args.empty()) {
    return refuse_line("Syntax: RETR msg");
  }
  Action refusal;
  const auto index = message_index(parts.verb, refusal);
  if (!index) return refusal;
  message_ = *index;
  message_open_ = false;
  message_bytes_ = 0;
  if (top) {
    top_.emplace(*lines);
  } else {
    top_.reset();
  }
  pending_ = Pending::Message;
  return action::OpenMessage{messages_[message_].uid};
}

Action ServerSession::message_opened(MessageStatus status) {
  if (pending_ != Pending::Message || message_open_) return action::None{};
  const std::string number = std::to_string(message_ + 1);
  switch (status) {
    case MessageStatus::Opened:
      break;
    case MessageStatus::Gone:
      // Expunged by an IMAP session since the snapshot: the number stays, the message is not there.
      pending_ = Pending::None;
      top_.reset();
      err("Message " + number + " is no longer in the mailbox");
      return checked(action::None{});
    case MessageStatus::Failed:
      pending_ = Pending::None;
      top_.reset();
      err("[SYS/TEMP] Cannot read message " + number + "; try again later");
      return checked(action::None{});
  }
  message_open_ = true;
  if (top_) {
    ok("");
  } else {
    ok(std::to_string(messages_[message_].size) + " octets");  // RFC 1939 §5 RETR's example
  }
  if (overflowed_) return checked(action::None{});
  return next_read();
}

Action ServerSession::next_read() {
  const std::size_t room = writer_.room();
  const std::size_t fits = room > kBodyReserve ? (room - kBodyReserve) / 2 : 0;
  if (fits < kMinRead) return action::Flush{};
  return action::ReadMessage{std::min(fits, kMaxRead)};
}

Action ServerSession::message_chunk(std::string_view bytes, bool end) {
  if (pending_ != Pending::Message || !message_open_ || closing_) return action::None{};
  std::string_view sent = bytes;
  bool finished = end;
  if (top_) {
    sent = bytes.substr(0, top_->take(bytes));
    finished = finished || top_->done();
  }
  message_bytes_ += sent.size();
  // The stuffer sends every line end as CRLF and doubles a leading dot (RFC 1939 §3).
  if (!writer_.body(sent)) {  // more than ReadMessage's max: the I/O's mistake
    overflowed_ = closing_ = true;
    return checked(action::None{});
  }
  if (!finished) return next_read();
  return finish_message();
}

Action ServerSession::finish_message() {
  pending_ = Pending::None;
  message_open_ = false;
  if (!writer_.body_end()) overflowed_ = closing_ = true;
  if (!top_) {  // TOP is not a retrieval: it sets no \Seen (Dovecot's default too)
    retrieved_[message_] = true;
    ++stats_.retrieved;
    stats_.retrieved_bytes += message_bytes_;
  }
  top_.reset();
  return checked(action::None{});
}

Action ServerSession::message_failed() {
  if (pending_ != Pending::Message || closing_) return action::None{};
  // After the +OK there is no way to say -ERR: the client sees the connection end before the final ".".
  pending_ = Pending::None;
  message_open_ = false;
  closing_ = true;
  close_returned_ = true;
  deferred_.clear();
  return action::Close{};
}

Action ServerSession::dele(std::string_view args) {
  Action refusal;
  const auto index = message_index(args, refusal);
  if (!index) return refusal;
  // RFC 1939 §5: only marked; the message is removed in UPDATE.
  deleted_[*index] = true;
  --live_count_;
  live_octets_ -= messages_[*index].size;
  ok("message " + std::to_string(*index + 1) + " deleted");
  return action::None{};
}

Action ServerSession::rset(std::string_view args) {
  if (!args.empty()) return refuse_line("Syntax: RSET");
  // RFC 1939 §5: every deletion mark goes. The retrievals go too (Dovecot's RSET does the same), so that
  // QUIT after RSET changes nothing in the mailbox.
  std::fill(deleted_.begin(), deleted_.end(), false);
  std::fill(retrieved_.begin(), retrieved_.end(), false);
  live_count_ = messages_.size();
  live_octets_ = 0;
  for (const auto& m : messages_) live_octets_ += m.size;
  ok(maildrop_summary());
  return action::None{};
}

// ---- QUIT and UPDATE (RFC 1939 §6)
// -------------------------------------------------------------------------

Action ServerSession::quit(std::string_view args) {
  if (!args.empty()) return refuse_line("Syntax: QUIT");
  if (state_ == State::Authorization)  // §4: QUIT here just ends the session
    return close_after(true, config_.hostname + " POP3 server signing off");
  state_ = State::Update;
  pending_ = Pending::Update;
  action::Update update;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) {
      update.expunge.push_back(messages_[i].uid);
    } else if (retrieved_[i]) {
      update.seen.push_back(messages_[i].uid);
    }
  }
  return update;
}

Action ServerSession::update_done(bool ok_) {
  if (pending_ != Pending::Update) return action::None{};
  pending_ = Pending::None;
  if (!ok_) return checked(close_after(false, "[SYS/TEMP] Some deleted messages not removed"));
  stats_.deleted += messages_.size() - live_count_;
  const std::string left = live_count_ == 0 ? "maildrop empty" : plural(live_count_, "message") + " left";
  return checked(close_after(true, config_.hostname + " POP3 server signing off (" + left + ")"));
}

// ---- --trace ----------------------------------------------------------------------------------------------

std::string ServerSession::traceable(std::string_view line, bool in_sasl) {
  if (in_sasl) return line == "*" ? "*" : "****";
  const text::Verb verb = text::split_verb(line);
  if (text::iequals(verb.verb, "PASS") && !verb.args.empty()) return printable(verb.verb) + " ****";
  if (text::iequals(verb.verb, "AUTH")) {
    const text::Verb mech = text::split_verb(verb.args);
    if (!mech.args.empty()) return printable(std::string(verb.verb) + " " + std::string(mech.verb) + " ****");
  }
  return printable(line);
}

}  // namespace endhost::pop3
