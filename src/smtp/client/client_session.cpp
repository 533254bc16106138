#include "smtp/client/client_session.hpp"

#include "mail/message/base64.hpp"
#include "smtp/message_text.hpp"
#include "text/dot_stuffer.hpp"

namespace endhost::smtp::client {

namespace {

using Stage = DeliveryResult::Stage;

constexpr std::size_t kTracedBodyLines = 100;  // -v shows the message, but not a whole attachment

Reply to_reply(const text::CodedReply& r) {
  Reply out;
  out.code = r.code;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    if (i) out.text += '\n';
    out.text += r.lines[i];
  }
  return out;
}

bool positive(int code) {
  return code / 100 == 2;
}

}  // namespace

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::Connect:
      return "connect";
    case Stage::Tls:
      return "the TLS handshake";
    case Stage::Greeting:
      return "greeting";
    case Stage::Ehlo:
      return "EHLO";
    case Stage::StartTls:
      return "STARTTLS";
    case Stage::Auth:
      return "AUTH";
    case Stage::Mail:
      return "MAIL FROM";
    case Stage::Rcpt:
      return "RCPT TO";
    case Stage::Data:
      return "DATA";
    case Stage::Done:
      return "done";
  }
  return "?";
}

std::string reply_summary(const Reply& reply) {
  std::string out;
  if (reply.code != 0) out = std::to_string(reply.code) + " ";
  for (char c : reply.text) out += c == '\n' ? ' ' : c;
  return out;
}

std::string auth_plain_response(std::string_view user, std::string_view password) {
  std::string raw;
  raw += '\0';
  raw += user;
  raw += '\0';
  raw += password;
  return mail::message::base64_encode(raw);
}

ClientSession::ClientSession(SessionSettings settings, const Transaction& transaction)
    : settings_(std::move(settings)), transaction_(&transaction) {
  if (settings_.helo_name.empty()) settings_.helo_name = "localhost";
  tls_active_ = settings_.tls == TlsMode::Implicit;
  result_.tls = tls_active_;
  result_.failed_at = Stage::Greeting;
  result_.reply = Reply{0, "the server sent no greeting"};
  expect(Expect::Greeting);
}

void ClientSession::send(std::string line, std::string shown) {
  trace_.push_back(shown.empty() ? line : std::move(shown));
  out_ += line;
  out_ += "\r\n";
}

void ClientSession::consumed(std::size_t n) {
  sent_ += n;
  if (sent_ >= body_end_) body_in_output_ = false;
  if (sent_ >= out_.size()) {
    out_.clear();
    sent_ = 0;
    body_end_ = 0;
  }
}

std::vector<std::string> ClientSession::take_trace() {
  std::vector<std::string> out;
  out.swap(trace_);
  return out;
}

TimeoutKind ClientSession::timeout() const {
  if (expected_.empty()) return TimeoutKind::Command;
  switch (expected_.front()) {
    case Expect::Greeting:
      return TimeoutKind::Greeting;
    case Expect::Body:
    case Expect::Bdat:
      return TimeoutKind::DataEnd;  // §4.5.3.2.6: 10 minutes for the reply to the end
    default:
      return TimeoutKind::Command;
  }
}

void ClientSession::fail(Stage stage, Reply reply) {
  if (finished_) return;
  finished_ = true;
  result_.failed_at = stage;
  result_.reply = std::move(reply);
  // 421: the server is closing the channel (RFC 5321 §3.8): no QUIT, nothing more will come.
  if (result_.reply.code == 421) {
    expected_.clear();
    quit_sent_ = true;
  }
}

void ClientSession::quit() {
  quit_sent_ = true;
  send("QUIT");
  expect(Expect::Quit);
}

void ClientSession::send_ehlo() {
  stage_ = Stage::Ehlo;
  send("EHLO " + settings_.helo_name);
  expect(Expect::Ehlo);
}

void ClientSession::after_ehlo() {
  const TlsMode mode = settings_.tls;
  if (!tls_active_ && (mode == TlsMode::Required ||
                       (mode == TlsMode::Opportunistic && extensions_.starttls && settings_.tls_available))) {
    if (!extensions_.starttls) {
      fail(Stage::StartTls, Reply{0, "the server does not offer STARTTLS"});
      return;
    }
    if (!settings_.tls_available) {
      fail(Stage::StartTls, Reply{0, "no TLS context to start TLS with"});
      return;
    }
    stage_ = Stage::StartTls;
    send("STARTTLS");
    expect(Expect::StartTls);
    return;
  }
  if (settings_.auth) {
    start_auth();
    return;
  }
  start_mail();
}

void ClientSession::start_auth() {
  stage_ = Stage::Auth;
  const auto& [user, password] = *settings_.auth;
  // RFC 4954 §4: the initial response saves a round trip; PLAIN first, as swaks and Postfix prefer.
  if (extensions_.offers_auth("PLAIN")) {
    send("AUTH PLAIN " + auth_plain_response(user, password), "AUTH PLAIN ****");
    expect(Expect::AuthPlain);
  } else if (extensions_.offers_auth("LOGIN")) {
    send("AUTH LOGIN");
    expect(Expect::AuthLogin);
  } else {
    fail(Stage::Auth, Reply{0, extensions_.auth.empty() ? "the server does not offer AUTH"
                                                        : "the server offers neither AUTH PLAIN nor LOGIN"});
  }
}

void ClientSession::start_mail() {
  const Transaction& t = *transaction_;
  stage_ = Stage::Mail;
  // RFC 6531 §3.4: a message that needs SMTPUTF8 is not sent to a server without it; it bounces.
  if (t.smtputf8 && !extensions_.smtputf8) {
    fail(Stage::Mail, Reply{554, "5.6.7 SMTPUTF8 is required, but was not offered by the server"});
    return;
  }
  // RFC 1870 §6: not worth sending what the server announced it will refuse.
  if (extensions_.size && extensions_.max_size != 0 && t.message.size() > extensions_.max_size) {
    fail(Stage::Mail,
         Reply{552, "5.3.4 the message (" + std::to_string(t.message.size()) +
                        " bytes) is larger than the server's SIZE " + std::to_string(extensions_.max_size)});
    return;
  }
  if (t.recipients.empty()) {
    fail(Stage::Rcpt, Reply{0, "no recipients"});
    return;
  }
  std::string mail = "MAIL FROM:<" + t.sender + ">";
  if (extensions_.size) mail += " SIZE=" + std::to_string(t.message.size());
  if (t.eight_bit && extensions_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (t.smtputf8) mail += " SMTPUTF8";
  send(std::move(mail));
  expect(Expect::Mail);
  if (!extensions_.pipelining) return;
  // RFC 2920 §3.1: MAIL, the RCPTs and DATA in one group; DATA (or the last BDAT) ends it.
  for (const auto& r : t.recipients) {
    send("RCPT TO:<" + r + ">");
    expect(Expect::Rcpt);
  }
  send_data_command();
}

bool ClientSession::chunking() const {
  return settings_.use_chunking && extensions_.chunking;
}

void ClientSession::send_data_command() {
  stage_ = Stage::Data;
  if (chunking()) {
    // RFC 3030 §2: the whole message as one last chunk; no dot-stuffing, no 354.
    // BDAT carries the message as it is (RFC 3030 §2): its lines must already end in CRLF (RFC 5321 §2.3.8).
    std::string body(transaction_->message);
    normalize_line_ends(body);
    send("BDAT " + std::to_string(body.size()) + " LAST");
    trace_body(body);
    out_ += body;
    body_end_ = out_.size();
    body_in_output_ = true;
    expect(Expect::Bdat);
    return;
  }
  send("DATA");
  expect(Expect::Data);
}

void ClientSession::trace_body(std::string_view body) {
  std::size_t lines = 0, start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == body.npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (lines < kTracedBodyLines) trace_.emplace_back(line);
    ++lines;
    start = end + 1;
  }
  if (lines > kTracedBodyLines)
    trace_.push_back("… (" + std::to_string(lines - kTracedBodyLines) + " more lines)");
}

void ClientSession::send_body() {
  text::DotStuffer stuffer;
  const std::size_t before = out_.size();
  stuffer.append(out_, transaction_->message);
  stuffer.finish(out_);
  trace_body(std::string_view(out_).substr(before, out_.size() - before - 3));
  trace_.emplace_back(".");
  body_end_ = out_.size();
  body_in_output_ = true;
  expect(Expect::Body);
}

void ClientSession::on_reply(const text::CodedReply& reply) {
  if (expected_.empty()) {
    // A reply nobody asked for: the stream is out of step (RFC 2920 §3.2 lets replies come early, never
    // extra).
    network_error("the server sent a reply that was not asked for: " + std::to_string(reply.code));
    return;
  }
  const Expect e = expected_.front();
  expected_.pop_front();
  handle(e, to_reply(reply), reply);
  if (finished_ && expected_.empty() && !quit_sent_) quit();
  if (next_ == Next::StartTls) return;
  next_ = expected_.empty() ? Next::Close : Next::ReadReply;
}

void ClientSession::handle(Expect e, const Reply& r, const text::CodedReply& raw) {
  const Transaction& t = *transaction_;
  if (finished_) {
    // Replies of a pipelined group after the transaction failed: absorbed. A 354 all the same (a server
    // that took DATA without recipients) gets an empty body, so the server is back in step for QUIT.
    if (e == Expect::Data && r.code == 354) {
      out_ += ".\r\n";
      trace_.emplace_back(".");
      expect(Expect::Body);
    }
    return;
  }
  switch (e) {
    case Expect::Greeting:
      // RFC 5321 §3.1: 220 or 554 (the server will not talk: QUIT and wait for 221).
      if (r.code == 220) {
        send_ehlo();
      } else {
        fail(Stage::Greeting, r);
      }
      return;
    case Expect::Ehlo:
      if (r.code == 250) {
        extensions_ = parse_ehlo(raw.lines);
        after_ehlo();
      } else if (r.code / 100 == 5 && !tls_active_) {
        // §3.2: a server that does not know EHLO says 500/502: HELO, and no extensions.
        send("HELO " + settings_.helo_name);
        expect(Expect::Helo);
      } else {
        fail(Stage::Ehlo, r);
      }
      return;
    case Expect::Helo:
      if (r.code == 250) {
        extensions_ = Extensions{};
        after_ehlo();
      } else {
        fail(Stage::Ehlo, r);
      }
      return;
    case Expect::StartTls:
      if (r.code == 220) {
        next_ = Next::StartTls;
      } else if (settings_.tls == TlsMode::Opportunistic) {
        // Opportunistic TLS (RFC 7435): a refusal leaves the session in plaintext, usable.
        if (settings_.auth) {
          start_auth();
        } else {
          start_mail();
        }
      } else {
        fail(Stage::StartTls, r);
      }
      return;
    case Expect::AuthPlain:
    case Expect::AuthPass:
      if (r.code == 235) {
        start_mail();
      } else {
        fail(Stage::Auth, r);
      }
      return;
    case Expect::AuthLogin:
    case Expect::AuthUser:
      if (r.code == 334) {
        // RFC 4954 §4 with the LOGIN mechanism's prompts: "Username:", then "Password:".
        const auto& [user, password] = *settings_.auth;
        if (e == Expect::AuthLogin) {
          send(mail::message::base64_encode(user));
          expect(Expect::AuthUser);
        } else {
          send(mail::message::base64_encode(password), "****");
          expect(Expect::AuthPass);
        }
      } else {
        fail(Stage::Auth, r);
      }
      return;
    case Expect::Mail:
      if (!positive(r.code)) {
        fail(Stage::Mail, r);
        return;
      }
      stage_ = Stage::Rcpt;
      if (!extensions_.pipelining) {
        send("RCPT TO:<" + t.recipients[0] + ">");
        expect(Expect::Rcpt);
      }
      return;
    case Expect::Rcpt: {
      const std::size_t i = rcpt_index_++;
      if (i < t.recipients.size()) result_.recipients.push_back(RecipientResult{t.recipients[i], r});
      if (positive(r.code)) ++accepted_;
      if (rcpt_index_ < t.recipients.size()) {
        if (!extensions_.pipelining) {
          send("RCPT TO:<" + t.recipients[rcpt_index_] + ">");
          expect(Expect::Rcpt);
        }
        return;
      }
      if (accepted_ == 0) {
        fail(Stage::Rcpt, r);
        return;
      }
      if (!extensions_.pipelining) send_data_command();
      return;
    }
    case Expect::Data:
      if (r.code == 354) {
        send_body();
      } else {
        fail(Stage::Data, r);
      }
      return;
    case Expect::Body:
    case Expect::Bdat:
      if (positive(r.code)) {
        finished_ = true;
        result_.failed_at = Stage::Done;
        result_.reply = r;
        quit();
      } else {
        fail(Stage::Data, r);
      }
      return;
    case Expect::Quit:
      return;
  }
}

void ClientSession::tls_ready(bool ok, std::string_view error) {
  if (next_ != Next::StartTls) return;
  if (!ok) {
    // The connection is unusable after a failed handshake: no QUIT.
    fail(Stage::StartTls, Reply{0, std::string(error.empty() ? "the TLS handshake failed" : error)});
    expected_.clear();
    quit_sent_ = true;
    next_ = Next::Close;
    return;
  }
  tls_active_ = true;
  result_.tls = true;
  // RFC 3207 §4.2: forget what the server said before TLS; EHLO again.
  extensions_ = Extensions{};
  send_ehlo();
  next_ = Next::ReadReply;
}

void ClientSession::network_error(std::string_view text) {
  if (!finished_) {
    finished_ = true;
    result_.failed_at = stage_;
    result_.reply = Reply{0, std::string(text)};
  }
  expected_.clear();
  quit_sent_ = true;
  next_ = Next::Close;
}

}  // namespace endhost::smtp::client
