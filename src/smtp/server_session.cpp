// The session's machinery: line intake (pipelining rule, deferred lines), the commands (each in its own
// function, as Dovecot's smtp-server-cmd-*.c), the body, the completions, and reply formatting. Reply texts
// follow Postfix's where a client or a tester may look for them (`Relay access denied`, `SMTP protocol
// synchronization`), the textbook's where it prints one (`Sender ok`, `closing connection`), and carry an
// enhanced status code (RFC 2034 §3, RFC 3463) on every reply but the greeting and HELO/EHLO's.
#include "smtp/server_session.hpp"

#include <algorithm>
#include <charconv>

#include "smtp/message_text.hpp"
#include "smtp/sasl.hpp"
#include "text/verb.hpp"

namespace endhost::smtp {
namespace {

constexpr std::size_t kMaxDeferred = 32;
// A refused line kept in deferred_ until its turn; a LF is never inside a line the reader returns.
constexpr std::string_view kKeptLineTooLong = "\nline too long";
constexpr std::string_view kKeptBareLf = "\nbare lf";
constexpr std::string_view kKeptBareCr = "\nbare cr";

constexpr std::string_view kUsername = "VXNlcm5hbWU6";  // base64("Username:"), RFC 4954 §4 via LOGIN
constexpr std::string_view kPassword = "UGFzc3dvcmQ6";  // base64("Password:")

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = '?';
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// RFC 1870 §3: size-value = 1*20DIGIT. Past 2^64-1 it saturates (and is over any limit).
std::optional<std::uint64_t> parse_count(std::string_view s) {
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

}  // namespace

ServerSession::ServerSession(ServerConfig config, const RecipientPolicy& recipients)
    : config_(std::move(config)), recipients_(recipients), tls_active_(config_.tls_active) {}

text::ReaderConfig ServerSession::reader_config(const ServerLimits& limits) {
  text::ReaderConfig config;
  config.line_ending = text::LineEnding::Crlf;  // RFC 5321 §2.3.8; smuggling (docs/internals/text.md)
  const std::size_t command = limits.max_line > 2 ? limits.max_line - 2 : limits.max_line;
  config.limits.max_line = std::max(command, limits.max_auth_line);
  config.limits.max_buffer = std::max<std::size_t>(16 * 1024, config.limits.max_line + 2);
  return config;
}

// ---- replies --------------------------------------------------------------------------------------------

void ServerSession::reply(int code, std::string_view text) {
  std::string line = printable(text);
  const std::size_t room = text::WriterLimits{}.max_reply_line - 6;  // "NNN " and CRLF
  if (line.size() > room) line.resize(room);
  if (!writer_.coded(code, line)) {  // the I/O let the output pass its maximum: give up on the peer
    closing_ = true;
    overflowed_ = true;
  }
}

void ServerSession::reply_lines(int code, const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += std::to_string(code);
    out += i + 1 < lines.size() ? '-' : ' ';
    out += printable(lines[i]).substr(0, text::WriterLimits{}.max_reply_line - 6);
    out += "\r\n";
  }
  if (!writer_.raw(out)) {
    closing_ = true;
    overflowed_ = true;
  }
}

Action ServerSession::close_after(int code, std::string_view text) {
  reply(code, text);
  closing_ = true;
  close_returned_ = true;
  deferred_.clear();
  sasl_ = Sasl::None;
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

bool ServerSession::count_error() {
  ++errors_;
  ++stats_.errors;
  return config_.limits.max_errors > 0 && errors_ >= config_.limits.max_errors;
}

Action ServerSession::refuse_line(int code, std::string_view text, bool counted) {
  reply(code, text);
  // Postfix smtpd_hard_error_limit: a client that keeps sending junk is cut off.
  if (counted && count_error())
    return close_after(421, "4.7.0 " + config_.hostname + " Error: too many errors");
  return action::None{};
}

Action ServerSession::violation() {
  // RFC 2920 §3.1 and Postfix smtpd_forbid_unauth_pipelining: the client sent on without waiting for a
  // reply it had to wait for (after DATA, EHLO, STARTTLS…, or any pipelining without EHLO). What it sent
  // is never read: that is how smuggled commands and premature bodies are kept out.
  ++stats_.pipelining_violations;
  return close_after(554, "5.5.0 Error: SMTP protocol synchronization");
}

void ServerSession::reset_transaction() {
  envelope_ = Envelope{};
  message_.clear();
  message_.shrink_to_fit();  // an idle session holds no body (issue §6 c: 1,000 idle sessions)
  body_bytes_ = 0;
  body_too_large_ = false;
  if (state_ != State::Start) state_ = State::Ready;
}

bool ServerSession::may_auth() const {
  // RFC 4954 §4 wants a protected channel for PLAIN/LOGIN; issue §1 allows trusted peers
  // (loopback, --trusted-networks) without TLS.
  return config_.auth_available && (tls_active_ || config_.peer_is_trusted);
}

std::chrono::seconds ServerSession::read_timeout() const {
  return (pending_ == Pending::Data || pending_ == Pending::Chunk) ? config_.timeouts.data_block
                                                                   : config_.timeouts.command;
}

// ---- the connection ---------------------------------------------------------------------------------------

void ServerSession::greeting() {
  if (greeted_) return;
  greeted_ = true;
  reply(220, config_.hostname + " ESMTP endhost");  // RFC 5321 §4.3.1; RFC 2034 §3: no enhanced code
}

Action ServerSession::pregreet_input() {
  if (closing_) return action::None{};
  writer_.clear();  // the 220 is not sent to a client that did not wait for it
  ++stats_.pipelining_violations;
  return checked(close_after(554, "5.5.0 Error: SMTP protocol synchronization"));
}

Action ServerSession::refuse(std::string_view why) {
  if (closing_) return action::None{};
  return checked(close_after(421, "4.3.2 " + config_.hostname + " " + std::string(why)));
}

Action ServerSession::on_timeout() {
  if (closing_) return action::None{};
  // RFC 5321 §4.5.3.2: the server may close after its timeout, with 421.
  return checked(close_after(421, "4.4.2 " + config_.hostname + " Error: timeout exceeded"));
}

// ---- line intake ------------------------------------------------------------------------------------------

Action ServerSession::on_line(std::string_view line, bool input_follows) {
  if (closing_) return action::None{};
  // RFC 3207 §4.2 (CVE-2011-0411): nothing sent in the clear after STARTTLS is acted on.
  if (pending_ == Pending::Tls) return action::None{};
  if (pending_ == Pending::Data || pending_ == Pending::Chunk) return action::None{};  // the I/O's mistake
  if (pending_ != Pending::None || !deferred_.empty()) {
    if (deferred_.size() >= kMaxDeferred) return checked(violation());
    deferred_.emplace_back(std::string(line), input_follows);
    return pending_ == Pending::None ? poll() : action::None{};
  }
  return checked(dispatch(line, input_follows));
}

Action ServerSession::on_read_error(text::ReadError error) {
  if (closing_ || pending_ == Pending::Tls) return action::None{};
  if (pending_ == Pending::Data || pending_ == Pending::Chunk) return action::None{};  // DataEnd carries it
  const std::string_view kept = error == text::ReadError::BareLf   ? kKeptBareLf
                                : error == text::ReadError::BareCr ? kKeptBareCr
                                                                   : kKeptLineTooLong;
  if (pending_ != Pending::None || !deferred_.empty()) {
    if (deferred_.size() >= kMaxDeferred) return checked(violation());
    deferred_.emplace_back(std::string(kept), false);
    return pending_ == Pending::None ? poll() : action::None{};
  }
  return checked(dispatch(kept, false));
}

Action ServerSession::poll() {
  if (overflowed_) return checked(action::None{});
  while (!closing_ && pending_ == Pending::None && !deferred_.empty()) {
    auto [line, follows] = std::move(deferred_.front());
    deferred_.pop_front();
    Action next = dispatch(line, follows || !deferred_.empty());
    if (!std::holds_alternative<action::None>(next)) return checked(std::move(next));
  }
  return checked(action::None{});
}

Action ServerSession::dispatch(std::string_view line, bool input_follows) {
  ends_group_pending_ = false;
  ++stats_.commands;
  if (line == kKeptLineTooLong || line == kKeptBareLf || line == kKeptBareCr) {
    sasl_ = Sasl::None;  // a refused SASL response ends the exchange (RFC 4954 §4: a 501 like `*`)
    // RFC 5321 §2.3.8: CR and LF only together; Postfix smtpd_forbid_bare_newline refuses the line.
    const std::string_view why = line == kKeptLineTooLong ? "5.5.2 Error: line too long"
                                 : line == kKeptBareLf    ? "5.5.2 Error: bare <LF> received"
                                                          : "5.5.2 Error: bare <CR> received";
    return refuse_line(500, why);
  }
  if (sasl_ != Sasl::None) {
    if (input_follows) return violation();  // RFC 4954 §4: each response waits for its 334 or 235
    return sasl_response(line);
  }
  const auto found =
      command_table().lookup(line, {state_, authenticated(), tls_active_, config_.tls_required});
  const Command* command = found.command ? &found.command->id : nullptr;

  // RFC 2920 §3.1: after a group's last command the client waits; a client that did not say EHLO may not
  // pipeline at all. BDAT's chunk follows its line by design (RFC 3030 §4.2).
  const bool is_bdat = command && *command == Command::Bdat;
  if (input_follows && !is_bdat && (!esmtp_ || (found.command && found.command->ends_group))) {
    return violation();
  }
  if (found.command) ends_group_pending_ = found.command->ends_group;

  const bool is_auth = command && *command == Command::Auth;
  if (!is_auth && line.size() + 2 > config_.limits.max_line) {  // RFC 5321 §4.5.3.1.4: 512 with CRLF
    if (is_bdat) return close_after(500, "5.5.2 Error: line too long");  // its chunk cannot be found
    return refuse_line(500, "5.5.2 Error: line too long");
  }
  const bool quit = command && *command == Command::Quit;
  const bool mail = command && *command == Command::Mail;
  if (!quit && !mail && (state_ == State::Start || state_ == State::Ready) &&
      ++commands_without_mail_ > config_.limits.max_commands_before_mail &&
      config_.limits.max_commands_before_mail > 0) {
    return close_after(421, "4.7.0 " + config_.hostname + " Error: too many commands");
  }

  std::string refusal;
  int code = 0;
  switch (found.verdict) {
    case text::Verdict::Allowed:
      return handle(*command, found.args);
    case text::Verdict::Unknown:
      if (line.empty()) return refuse_line(500, "5.5.2 Error: bad syntax");
      return refuse_line(502, "5.5.2 Error: command not recognized");
    case text::Verdict::RefusedUnderTls:
      code = 554;
      refusal = "5.5.1 Error: TLS already active";
      break;
    case text::Verdict::NeedsTls:
      code = 530;
      refusal = "5.7.0 Must issue a STARTTLS command first";
      break;
    case text::Verdict::NeedsAuth:
      code = 530;
      refusal = "5.7.0 Authentication required";
      break;
    case text::Verdict::WrongState:
      code = 503;
      if (state_ == State::Start) {
        refusal = "5.5.1 Error: send HELO/EHLO first";
      } else if (state_ == State::Bdat) {
        refusal =
            *command == Command::Data ? "5.5.1 Error: DATA after BDAT" : "5.5.1 Error: BDAT in progress";
      } else if (*command == Command::Mail) {
        refusal = "5.5.1 Error: nested MAIL command";
      } else if (*command == Command::Auth || *command == Command::StartTls) {
        refusal = "5.5.1 Error: MAIL transaction in progress";
      } else if (state_ == State::Ready) {
        refusal = "5.5.1 Error: need MAIL command";
      } else {
        refusal = "5.5.1 Error: need RCPT command";
      }
      break;
  }
  if (is_bdat) {
    // RFC 3030 §2: the chunk is sent whatever the answer; read it, then refuse it, to stay in step.
    const text::Verb size_and_last = text::split_verb(found.args);
    const auto size = parse_count(size_and_last.verb);
    if (!size) return close_after(501, "5.5.4 Syntax: BDAT count [LAST]");
    pending_ = Pending::Chunk;
    chunk_ = Chunk{static_cast<std::size_t>(*size), false, code, refusal};
    return action::ReceiveChunk{chunk_.size, false, 0};
  }
  return refuse_line(code, refusal);
}

Action ServerSession::handle(Command command, std::string_view args) {
  switch (command) {
    case Command::Helo:
      return helo(args, false);
    case Command::Ehlo:
      return helo(args, true);
    case Command::Mail:
      return mail(args);
    case Command::Rcpt:
      return rcpt(args);
    case Command::Data:
      return data(args);
    case Command::Bdat:
      return bdat(args);
    case Command::Auth:
      return auth(args);
    case Command::StartTls:
      return starttls(args);
    case Command::Rset:
      // RFC 5321 §4.1.1.5: no parameters; the transaction (and any BDAT chunks) is dropped.
      if (!args.empty()) return refuse_line(501, "5.5.4 Syntax: RSET");
      reset_transaction();
      reply(250, "2.0.0 Ok");
      return action::None{};
    case Command::Noop:
      reply(250, "2.0.0 Ok");  // §4.1.1.9: a parameter is allowed and ignored
      return action::None{};
    case Command::Vrfy:
      if (args.empty()) return refuse_line(501, "5.5.4 Syntax: VRFY address");
      // §3.5.3: 252 says neither yes nor no, so VRFY cannot be used to harvest the users file.
      reply(252, "2.5.2 Cannot VRFY user; try RCPT to attempt delivery");
      return action::None{};
    case Command::Expn:
      return refuse_line(502, "5.5.1 EXPN command is disabled", false);  // §3.5.2: may be refused
    case Command::Help:
      reply(214, "2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
      return action::None{};
    case Command::Quit:
      return close_after(221, "2.0.0 " + config_.hostname + " closing connection");  // §4.1.1.10
  }
  return action::None{};
}

// ---- HELO / EHLO (RFC 5321 §4.1.1.1) ---------------------------------------------------------------------

Action ServerSession::helo(std::string_view args, bool extended) {
  const std::string_view syntax = extended ? "5.5.4 Syntax: EHLO hostname" : "5.5.4 Syntax: HELO hostname";
  if (args.empty()) return refuse_line(501, syntax);
  // Lenient as Postfix (smtpd_helo_restrictions empty): any one printable word, since real clients send
  // names with underscores or bare IPs. It goes into Received:, so nothing else.
  if (args.size() > config_.limits.max_helo) return refuse_line(501, syntax);
  for (const char c : args) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) return refuse_line(501, syntax);
  }
  reset_transaction();  // §4.1.4: HELO/EHLO within a session is an RSET too
  helo_ = std::string(args);
  esmtp_ = extended;
  state_ = State::Ready;
  const std::string hello = config_.hostname + " Hello " + helo_;
  if (!extended) {
    reply(250, hello + ", pleased to meet you");  // the textbook's words
    return action::None{};
  }
  // §4.1.1.1 and each extension's RFC; Postfix's order.
  std::vector<std::string> lines{hello, "PIPELINING",
                                 "SIZE " + std::to_string(config_.limits.max_message_size)};
  if (config_.tls_available && !tls_active_) lines.emplace_back("STARTTLS");
  if (may_auth()) lines.emplace_back("AUTH PLAIN LOGIN");
  lines.emplace_back("ENHANCEDSTATUSCODES");
  lines.emplace_back("8BITMIME");
  lines.emplace_back("SMTPUTF8");
  lines.emplace_back("CHUNKING");
  reply_lines(250, lines);
  return action::None{};
}

// ---- MAIL (RFC 5321 §4.1.1.2, RFC 1870, 6152, 6531, 4954 §5) ----------------------------------------------

Action ServerSession::mail(std::string_view args) {
  // RFC 6409 §4.3 (submission): no mail without authentication.
  if (config_.submission && !authenticated()) return refuse_line(530, "5.7.0 Authentication required");
  auto parsed = parse_path_args(args, "FROM", true, true);
  if (!parsed) {
    switch (parsed.error()) {
      case AddressError::Utf8NotAllowed:
        return refuse_line(553, "5.6.7 Error: non-ASCII parameter without SMTPUTF8");
      case AddressError::BadUtf8:
        return refuse_line(501, "5.6.7 Error: malformed UTF-8 in sender address");
      default:
        return refuse_line(501, "5.1.7 Bad sender address syntax");
    }
  }
  Envelope next;
  for (const Parameter& p : parsed->parameters) {
    if (p.keyword == "SIZE") {
      const auto size = p.has_value ? parse_count(p.value) : std::nullopt;
      if (!size) return refuse_line(501, "5.5.4 Bad SIZE parameter");
      // RFC 1870 §6.1: a declared size over the limit is refused at MAIL, before any data.
      if (*size > config_.limits.max_message_size) {
        return refuse_line(552, "5.3.4 Message size exceeds fixed limit");
      }
      next.declared_size = *size;
    } else if (p.keyword == "BODY") {
      const std::string value = upper(p.value);
      if (value == "8BITMIME") {
        next.eight_bit = true;
      } else if (value != "7BIT") {
        return refuse_line(501, "5.5.4 Unsupported BODY value");  // BINARYMIME is not offered
      }
    } else if (p.keyword == "SMTPUTF8") {
      if (p.has_value) return refuse_line(501, "5.5.4 Bad SMTPUTF8 parameter");
      next.smtputf8 = true;
    } else if (p.keyword == "AUTH") {
      // RFC 4954 §5: accepted; the identity it claims is not trusted (we never relay it on).
    } else {
      return refuse_line(555, "5.5.4 Unsupported option: " + p.keyword);  // RFC 5321 §4.1.1.11
    }
  }
  const Path& path = parsed->path;
  if (path.mailbox.utf8 && !next.smtputf8) {
    return refuse_line(553, "5.6.7 Error: non-ASCII sender address without SMTPUTF8");  // RFC 6531 §3.4
  }
  reset_transaction();
  next.helo = helo_;
  next.esmtp = esmtp_;
  next.tls = tls_active_;
  next.authenticated_user = user_;
  next.reverse_path = path.null ? std::string() : path.mailbox.address();
  envelope_ = std::move(next);
  state_ = State::Mail;
  commands_without_mail_ = 0;
  reply(250, "2.1.0 <" + envelope_.reverse_path + ">... Sender ok");
  return action::None{};
}

// ---- RCPT (RFC 5321 §4.1.1.3) -----------------------------------------------------------------------------

Action ServerSession::rcpt(std::string_view args) {
  auto parsed = parse_path_args(args, "TO", false, envelope_.smtputf8);
  if (!parsed) {
    switch (parsed.error()) {
      case AddressError::Utf8NotAllowed:
        return refuse_line(553, "5.6.7 Error: non-ASCII recipient address without SMTPUTF8");
      case AddressError::BadUtf8:
        return refuse_line(501, "5.6.7 Error: malformed UTF-8 in recipient address");
      default:
        return refuse_line(501, "5.1.3 Bad recipient address syntax");
    }
  }
  if (!parsed->parameters.empty()) {  // DSN (RFC 3461) is not offered: NOTIFY, ORCPT are unknown here
    return refuse_line(555, "5.5.4 Unsupported option: " + parsed->parameters.front().keyword);
  }
  if (envelope_.recipients.size() >= config_.limits.max_recipients) {
    reply(452, "4.5.3 Error: too many recipients");  // RFC 5321 §4.5.3.1.10: the client sends the rest later
    return action::None{};
  }
  const Mailbox& box = parsed->path.mailbox;
  const std::string address = box.address();
  RecipientVerdict verdict = recipients_.classify(box.local_part, box.domain);
  if (verdict.kind == RecipientKind::Remote && box.domain.empty()) verdict.kind = RecipientKind::UnknownLocal;
  if (verdict.kind == RecipientKind::UnknownLocal) {
    ++stats_.rejected_rcpt;
    return refuse_line(550, "5.1.1 <" + address +
                                ">: Recipient address rejected: User unknown in local "
                                "recipient table");
  }
  if (verdict.kind == RecipientKind::Remote && !authenticated() && !config_.relay_permitted) {
    ++stats_.rejected_rcpt;  // issue §1: no open relay
    return refuse_line(554, "5.7.1 <" + address + ">: Relay access denied");
  }
  const bool duplicate =
      std::any_of(envelope_.recipients.begin(), envelope_.recipients.end(),
                  [&](const Envelope::Recipient& r) { return text::iequals(r.address, address); });
  if (!duplicate) {  // one copy per mailbox, whatever the client repeats
    envelope_.recipients.push_back(Envelope::Recipient{address, verdict.kind, std::move(verdict.local_user)});
  }
  state_ = State::Rcpt;
  reply(250, "2.1.5 <" + address + ">... Recipient ok");
  return action::None{};
}

// ---- DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030)
// ------------------------------------------------------------

Action ServerSession::data(std::string_view args) {
  if (!args.empty()) return refuse_line(501, "5.5.4 Syntax: DATA");
  message_.clear();
  body_bytes_ = 0;
  body_too_large_ = false;
  pending_ = Pending::Data;
  reply(354, "Enter mail, end with \".\" on a line by itself");  // the textbook's (sendmail's) words
  return action::ReceiveData{config_.limits.max_message_size};
}

Action ServerSession::bdat(std::string_view args) {
  const text::Verb parts = text::split_verb(args);
  const auto size = parse_count(parts.verb);
  bool last = false;
  if (!parts.args.empty()) {
    if (!text::iequals(parts.args, "LAST")) {
      if (!size) return close_after(501, "5.5.4 Syntax: BDAT count [LAST]");
      pending_ = Pending::Chunk;
      chunk_ = Chunk{static_cast<std::size_t>(*size), false, 501, "5.5.4 Syntax: BDAT count [LAST]"};
      return action::ReceiveChunk{chunk_.size, false, 0};
    }
    last = true;
  }
  // Without a count the chunk's end cannot be found: the session cannot stay in step, so it ends.
  if (!size) return close_after(501, "5.5.4 Syntax: BDAT count [LAST]");
  pending_ = Pending::Chunk;
  const std::uint64_t limit = config_.limits.max_message_size;
  if (state_ == State::Rcpt) {  // the first chunk of the transaction
    message_.clear();
    body_bytes_ = 0;
    body_too_large_ = false;
  }
  envelope_.chunked = true;
  chunk_ = Chunk{static_cast<std::size_t>(std::min<std::uint64_t>(*size, SIZE_MAX)), last, 0, {}};
  if (*size > limit - std::min<std::uint64_t>(body_bytes_, limit)) {
    // RFC 3030 §2 with RFC 1870: read and drop the chunk, answer 552, and the transaction is over.
    chunk_.refusal_code = 552;
    chunk_.refusal_text = "5.3.4 Message size exceeds fixed limit";
    return action::ReceiveChunk{chunk_.size, last, 0};
  }
  state_ = State::Bdat;
  return action::ReceiveChunk{chunk_.size, last, static_cast<std::size_t>(limit - body_bytes_)};
}

Action ServerSession::body_chunk(std::string_view bytes) {
  if (pending_ != Pending::Data && pending_ != Pending::Chunk) return action::None{};
  if (pending_ == Pending::Chunk && chunk_.refusal_code != 0) return action::None{};  // read and dropped
  body_bytes_ += bytes.size();
  const std::size_t limit = config_.limits.max_message_size;
  const std::size_t room = limit > message_.size() ? limit - message_.size() : 0;
  if (bytes.size() > room) {
    body_too_large_ = true;
    bytes = bytes.substr(0, room);
  }
  message_.append(bytes);
  return action::None{};
}

Action ServerSession::data_end(std::optional<text::ReadError> error) {
  if (pending_ != Pending::Data) return action::None{};
  pending_ = Pending::None;
  if (error || body_too_large_) {
    // Answered after the end of data (RFC 5321 §4.5.3.1.10), so the session stays in step. Nothing of the
    // refused body is kept or delivered.
    const bool too_large = body_too_large_ || *error == text::ReadError::DataTooLarge;
    const std::string text = too_large ? "5.3.4 Error: message file too big"
                             : *error == text::ReadError::BareCr
                                 ? "5.6.0 Error: bare <CR> received in message"
                                 : "5.6.0 Error: bare <LF> received in message";
    reset_transaction();
    return checked(refuse_line(too_large ? 552 : 550, text));
  }
  return checked(finish_message());
}

Action ServerSession::chunk_end() {
  if (pending_ != Pending::Chunk) return action::None{};
  pending_ = Pending::None;
  if (chunk_.refusal_code != 0) {
    const bool in_transaction = chunk_.refusal_code == 552 || chunk_.refusal_code == 501;
    if (in_transaction) reset_transaction();
    return checked(refuse_line(chunk_.refusal_code, chunk_.refusal_text));
  }
  if (body_too_large_) {  // the I/O sent more than the count said: cannot happen with read_counted()
    reset_transaction();
    return checked(refuse_line(552, "5.3.4 Message size exceeds fixed limit"));
  }
  if (!chunk_.last) {
    reply(250, "2.0.0 Ok: " + std::to_string(chunk_.size) + " octets received");
    return action::None{};
  }
  return checked(finish_message());
}

Action ServerSession::finish_message() {
  pending_ = Pending::Deliver;
  prepare_for_storage(message_, envelope_.chunked);
  Envelope e = envelope_;
  e.tls = tls_active_;
  e.authenticated_user = user_;
  return action::Deliver{std::move(e)};
}

Action ServerSession::delivered(DeliveryOutcome outcome, std::string queue_id) {
  if (pending_ != Pending::Deliver) return action::None{};
  pending_ = Pending::None;
  switch (outcome) {
    case DeliveryOutcome::Accepted:
      ++stats_.messages;
      reply(250,
            "2.0.0 " + (queue_id.empty() ? std::string() : queue_id + " ") + "Message accepted for delivery");
      break;
    case DeliveryOutcome::TemporaryFailure:
      reply(451, "4.3.0 Error: queue file write error");
      break;
    case DeliveryOutcome::NoSpace:
      reply(452, "4.3.1 Insufficient system storage");
      break;
    case DeliveryOutcome::Rejected:
      reply(554, "5.7.1 Error: message rejected by policy");
      break;
    case DeliveryOutcome::DkimFailed:
      reply(550, "5.7.20 No passing DKIM signature found");
      break;
    case DeliveryOutcome::SpfFailed:
      reply(550, "5.7.23 SPF validation failed");
      break;
  }
  reset_transaction();
  return checked(action::None{});
}

// ---- AUTH (RFC 4954, RFC 4616 PLAIN, LOGIN)
// -------------------------------------------------------------------

Action ServerSession::auth(std::string_view args) {
  if (authenticated()) return refuse_line(503, "5.5.1 Error: already authenticated");  // RFC 4954 §4
  if (!config_.auth_available) return refuse_line(503, "5.5.1 Error: authentication not enabled");
  if (!may_auth()) {
    return refuse_line(538, "5.7.11 Encryption required for requested authentication mechanism");  // §6
  }
  const text::Verb parts = text::split_verb(args);
  const bool plain = text::iequals(parts.verb, "PLAIN");
  const bool login = text::iequals(parts.verb, "LOGIN");
  if (!plain && !login) return refuse_line(504, "5.5.4 Unrecognized authentication type");
  if (parts.args.empty()) {
    sasl_ = plain ? Sasl::PlainResponse : Sasl::LoginUser;
    reply(334, plain ? std::string_view() : kUsername);
    return action::None{};
  }
  // RFC 4954 §4: an initial response; "=" is an empty one.
  std::optional<std::string> decoded =
      parts.args == "=" ? std::optional<std::string>("") : base64_decode(parts.args);
  if (!decoded) return refuse_line(501, "5.5.2 Cannot decode response");
  if (plain) return finish_plain(*decoded);
  if (decoded->empty()) return refuse_line(535, "5.7.8 Error: authentication failed: empty user name");
  sasl_user_ = std::move(*decoded);
  sasl_ = Sasl::LoginPassword;
  reply(334, kPassword);
  return action::None{};
}

Action ServerSession::sasl_response(std::string_view line) {
  const Sasl step = sasl_;
  sasl_ = Sasl::None;
  if (line == "*") {  // RFC 4954 §4: the client cancels
    sasl_user_.clear();
    return refuse_line(501, "5.7.0 Authentication aborted");
  }
  auto decoded = base64_decode(line);
  if (!decoded) {
    sasl_user_.clear();
    return refuse_line(501, "5.5.2 Cannot decode response");
  }
  switch (step) {
    case Sasl::PlainResponse:
      return finish_plain(*decoded);
    case Sasl::LoginUser:
      if (decoded->empty()) return refuse_line(535, "5.7.8 Error: authentication failed: empty user name");
      sasl_user_ = std::move(*decoded);
      sasl_ = Sasl::LoginPassword;
      reply(334, kPassword);
      return action::None{};
    case Sasl::LoginPassword:
      pending_ = Pending::Login;
      return action::VerifyLogin{sasl_user_, std::move(*decoded)};
    case Sasl::None:
      break;
  }
  return action::None{};
}

Action ServerSession::finish_plain(std::string_view decoded) {
  auto credentials = parse_plain(decoded);
  if (!credentials) return refuse_line(535, "5.7.8 Error: authentication failed: malformed PLAIN message");
  // RFC 4616 §2: acting as another identity is not offered; an authzid equal to the authcid is harmless.
  if (!credentials->authzid.empty() && credentials->authzid != credentials->authcid) {
    ++stats_.auth_failures;
    return refuse_line(535, "5.7.8 Error: authentication failed: authorization identity not permitted");
  }
  sasl_user_ = credentials->authcid;
  pending_ = Pending::Login;
  return action::VerifyLogin{std::move(credentials->authcid), std::move(credentials->password)};
}

Action ServerSession::login_result(bool ok) {
  if (pending_ != Pending::Login) return action::None{};
  pending_ = Pending::None;
  if (ok) {
    user_ = std::move(sasl_user_);
    sasl_user_.clear();
    reply(235, "2.7.0 Authentication successful");
    return checked(action::None{});
  }
  sasl_user_.clear();
  ++stats_.auth_failures;
  return checked(refuse_line(535, "5.7.8 Error: authentication failed"));
}

// ---- STARTTLS (RFC 3207) ----------------------------------------------------------------------------------

Action ServerSession::starttls(std::string_view args) {
  if (!args.empty()) return refuse_line(501, "5.5.4 Syntax: STARTTLS");
  if (!config_.tls_available) return refuse_line(502, "5.5.1 Error: command not implemented");
  reply(220, "2.0.0 Ready to start TLS");
  pending_ = Pending::Tls;
  return action::StartTls{};
}

Action ServerSession::tls_ready(bool ok) {
  if (pending_ != Pending::Tls) return action::None{};
  pending_ = Pending::None;
  if (!ok) {  // nothing can be said: the channel is neither plain nor protected
    closing_ = true;
    close_returned_ = true;
    deferred_.clear();
    return action::Close{};
  }
  // RFC 3207 §4.2: the server discards all knowledge obtained from the client; EHLO must come again.
  tls_active_ = true;
  deferred_.clear();
  state_ = State::Start;
  reset_transaction();
  helo_.clear();
  esmtp_ = false;
  user_.clear();
  sasl_user_.clear();
  return action::None{};
}

// ---- --trace ----------------------------------------------------------------------------------------------

std::string ServerSession::traceable(std::string_view line, bool in_sasl) {
  if (in_sasl) return line == "*" ? "*" : "****";
  const text::Verb verb = text::split_verb(line);
  if (text::iequals(verb.verb, "AUTH")) {
    const text::Verb mech = text::split_verb(verb.args);
    if (!mech.args.empty()) return printable(std::string(verb.verb) + " " + std::string(mech.verb) + " ****");
  }
  return printable(line);
}

}  // namespace endhost::smtp
