#include "sample_smtp_session.hpp"

namespace endhost::text::sample {

namespace {

const CommandTable<State, Command>& commands() {
  using S = State;
  static const CommandTable<State, Command> table{
      {.verb = "HELO", .id = Command::Helo, .tls = TlsRule::Either},
      {.verb = "EHLO", .id = Command::Ehlo, .tls = TlsRule::Either, .ends_group = true},
      {.verb = "MAIL", .id = Command::Mail, .states = {S::Hello}},
      {.verb = "RCPT", .id = Command::Rcpt, .states = {S::Mail, S::Rcpt}},
      {.verb = "DATA", .id = Command::Data, .states = {S::Rcpt}, .ends_group = true},
      {.verb = "RSET", .id = Command::Rset},
      {.verb = "NOOP", .id = Command::Noop, .tls = TlsRule::Either, .ends_group = true},
      {.verb = "VRFY", .id = Command::Vrfy, .needs_auth = true, .ends_group = true},
      {.verb = "STARTTLS", .id = Command::StartTls, .tls = TlsRule::RefusedUnderTls, .ends_group = true},
      {.verb = "QUIT", .id = Command::Quit, .tls = TlsRule::Either, .ends_group = true},
  };
  return table;
}

ReaderConfig reader_config(std::size_t max_line) {
  ReaderConfig config;
  config.limits.max_line = max_line;
  config.limits.max_buffer = 4 * max_line;
  return config;
}

}  // namespace

SampleSmtpSession::SampleSmtpSession(std::size_t max_line, std::uint64_t max_message)
    : max_message_(max_message), reader_(reader_config(max_line)) {
  reply(220, "sample ESMTP");
}

void SampleSmtpSession::reply(int code, std::string_view text) {
  (void)writer_.coded(code, text);
}

void SampleSmtpSession::receive(std::string_view bytes) {
  while (!bytes.empty() && !closed_) {
    const std::size_t taken = reader_.feed(bytes);
    if (taken == 0) break;  // cannot happen after draining to NeedMore; never spin
    bytes.remove_prefix(taken);
    for (bool more = true; more && !closed_;) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case ReadEvent::Kind::Line:
          on_line(e.text);
          break;
        case ReadEvent::Kind::DataChunk:
          message_bytes_ += e.text.size();
          break;
        case ReadEvent::Kind::DataEnd:
          if (!e.has_error) {
            reply(250, "2.0.0 Ok: " + std::to_string(message_bytes_) + " bytes");
          } else if (e.error == ReadError::DataTooLarge) {
            reply(552, "5.3.4 Message too big");  // RFC 5321 §4.5.3.1.10: after the end of data
          } else {
            reply(550, "5.6.0 Message refused: " + std::string(describe(e.error)));
          }
          context_.state = State::Hello;
          in_data_ = false;
          break;
        case ReadEvent::Kind::Error:
          if (in_data_) break;  // a refused body is answered after its end, at DataEnd
          if (e.error == ReadError::LineTooLong) {
            reply(500, "5.5.2 Line too long");
          } else {
            reply(500, "5.5.2 Syntax error: " + std::string(describe(e.error)));
          }
          break;
        default:
          more = false;
          break;
      }
    }
  }
}

void SampleSmtpSession::on_line(std::string_view line) {
  const auto found = commands().lookup(line, context_);
  switch (found.verdict) {
    case Verdict::Unknown:
      return reply(500, "5.5.2 Unknown command");
    case Verdict::WrongState:
      return reply(503, "5.5.1 Bad sequence of commands");
    case Verdict::NeedsAuth:
      return reply(530, "5.7.0 Authentication required");
    case Verdict::NeedsTls:
      return reply(530, "5.7.0 Must issue a STARTTLS command first");
    case Verdict::RefusedUnderTls:
      return reply(554, "5.5.1 TLS already active");
    case Verdict::Allowed:
      break;
  }
  switch (found.command->id) {
    case Command::Helo:
    case Command::Ehlo:
      context_.state = State::Hello;
      return reply(250, "sample");
    case Command::Mail:
      context_.state = State::Mail;
      return reply(250, "2.1.0 Ok");
    case Command::Rcpt:
      context_.state = State::Rcpt;
      return reply(250, "2.1.5 Ok");
    case Command::Data:
      message_bytes_ = 0;
      reader_.begin_data(max_message_);
      in_data_ = true;
      return reply(354, "End data with <CR><LF>.<CR><LF>");
    case Command::Rset:
      if (context_.state != State::Start) context_.state = State::Hello;
      return reply(250, "2.0.0 Ok");
    case Command::Noop:
      return reply(250, "2.0.0 Ok");
    case Command::Vrfy:
      return reply(252, "2.0.0 Cannot VRFY");
    case Command::StartTls:
      reply(220, "2.0.0 Ready to start TLS");
      // RFC 3207 §4.2 (CVE-2011-0411): what came with STARTTLS was sent in the clear and is dropped unread;
      // the session starts over, as after a new greeting.
      (void)reader_.discard_buffered();
      context_.tls_active = true;
      context_.state = State::Start;
      return;
    case Command::Quit:
      reply(221, "2.0.0 Bye");
      closed_ = true;
      return;
  }
}

std::vector<std::string> SampleSmtpSession::take_output() {
  std::vector<std::string> out;
  if (!writer_.empty()) out.emplace_back(writer_.pending());
  writer_.consumed(writer_.pending().size());
  return out;
}

}  // namespace endhost::text::sample
