#include "fake_smtp_io.hpp"

#include <fstream>
#include <sstream>

#include "text/verb.hpp"

namespace endhost::smtp::test {

RecipientVerdict FakePolicy::classify(std::string_view local_part, std::string_view domain) const {
  const bool local =
      domain.empty() || text::iequals(domain, "hamburger.edu") || text::iequals(domain, "crepes.fr");
  if (!local) return {RecipientKind::Remote, {}};
  for (const std::string_view user : {"bob", "alice"}) {
    if (text::iequals(local_part, user)) return {RecipientKind::LocalUser, std::string(user)};
  }
  if (text::iequals(local_part, "postmaster")) return {RecipientKind::LocalUser, "bob"};
  return {RecipientKind::UnknownLocal, {}};
}

ServerConfig default_config() {
  ServerConfig c;
  c.hostname = "hamburger.edu";
  c.peer_address = "192.0.2.7";
  return c;
}

FakeOptions transcript_options(const std::string& file) {
  FakeOptions o;
  o.config = default_config();
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# session:", 0) != 0) continue;
    std::istringstream words(line.substr(10));
    std::string w;
    while (words >> w) {
      const auto eq = w.find('=');
      const std::string key = w.substr(0, eq);
      const std::size_t n = eq == std::string::npos ? 0 : std::stoul(w.substr(eq + 1));
      if (key == "submission") o.config.submission = true;
      if (key == "tls") o.config.tls_available = true;
      if (key == "implicit-tls") o.config.tls_active = o.config.tls_available = true;
      if (key == "require-tls") o.config.tls_required = true;
      if (key == "auth") o.config.auth_available = true;
      if (key == "loopback") o.config.peer_is_trusted = true;
      if (key == "relay") o.config.relay_permitted = true;
      if (key == "max-size") o.config.limits.max_message_size = n;
      if (key == "max-rcpt") o.config.limits.max_recipients = n;
      if (key == "max-errors") o.config.limits.max_errors = n;
      if (key == "max-commands") o.config.limits.max_commands_before_mail = n;
      if (key == "tempfail") o.outcome = DeliveryOutcome::TemporaryFailure;
      if (key == "nospace") o.outcome = DeliveryOutcome::NoSpace;
      if (key == "reject") o.outcome = DeliveryOutcome::Rejected;
      if (key == "tls-fails") o.tls_fails = true;
    }
  }
  return o;
}

FakeSmtpIo::FakeSmtpIo(FakeOptions options)
    : options_(options),
      session_(options_.config, policy_),
      reader_(ServerSession::reader_config(options_.config.limits)) {
  session_.greeting();
}

void FakeSmtpIo::run(Action a) {
  while (!closed_) {
    if (std::holds_alternative<action::None>(a)) {
      a = session_.poll();
      if (std::holds_alternative<action::None>(a)) return;
      continue;
    }
    if (std::holds_alternative<action::Close>(a)) {
      closed_ = true;
      return;
    }
    if (auto* login = std::get_if<action::VerifyLogin>(&a)) {
      notes_.push_back("login " + login->user + " " + login->password);
      a = session_.login_result(login->password == "secret");
      continue;
    }
    if (std::holds_alternative<action::StartTls>(a)) {
      notes_.push_back(std::to_string(reader_.discard_buffered()) + " bytes dropped, starttls");
      a = session_.tls_ready(!options_.tls_fails);
      continue;
    }
    if (auto* data = std::get_if<action::ReceiveData>(&a)) {
      reader_.begin_data(data->max_size);
      return;
    }
    if (auto* chunk = std::get_if<action::ReceiveChunk>(&a)) {
      reader_.read_counted(chunk->size);
      return;
    }
    if (auto* deliver = std::get_if<action::Deliver>(&a)) {
      const Envelope& e = deliver->envelope;
      std::string note = "deliver <" + e.reverse_path + ">";
      for (const auto& r : e.recipients) {
        note += " <" + r.address + ">" +
                (r.kind == RecipientKind::LocalUser ? "=" + r.local_user : std::string(" remote"));
      }
      if (e.eight_bit) note += " 8bit";
      if (e.smtputf8) note += " smtputf8";
      if (e.chunked) note += " bdat";
      if (e.tls) note += " tls";
      if (!e.authenticated_user.empty()) note += " auth=" + e.authenticated_user;
      notes_.push_back(note);
      notes_.push_back("body " + (session_.message().empty() ? std::string("(empty)") : session_.message()));
      messages_.push_back(session_.message());
      envelopes_.push_back(e);
      const std::string id =
          options_.outcome == DeliveryOutcome::Accepted ? "Q" + std::to_string(++queue_ids_) : "";
      a = session_.delivered(options_.outcome, id);
      continue;
    }
    return;
  }
}

void FakeSmtpIo::pump() {
  while (!closed_) {
    const text::ReadEvent e = reader_.next();
    using K = text::ReadEvent::Kind;
    switch (e.kind) {
      case K::NeedMore:
      case K::AwaitingDecision:
        return;
      case K::Line:
        run(session_.on_line(e.text, reader_.has_buffered_input()));
        break;
      case K::Error:
        run(session_.on_read_error(e.error));
        break;
      case K::DataChunk:
      case K::LiteralChunk:
        run(session_.body_chunk(e.text));
        break;
      case K::DataEnd:
        run(session_.data_end(e.has_error ? std::optional<text::ReadError>(e.error) : std::nullopt));
        break;
      case K::LiteralEnd:
        run(session_.chunk_end());
        break;
      case K::LiteralAnnounced:
        return;
    }
  }
}

void FakeSmtpIo::receive(std::string_view bytes) {
  while (!bytes.empty() && !closed_) {
    const std::size_t n = reader_.feed(bytes);
    bytes.remove_prefix(n);
    pump();
    if (n == 0) break;
  }
}

std::string FakeSmtpIo::take_output() {
  std::string out(session_.writer().pending());
  session_.writer().consumed(out.size());
  return out;
}

std::vector<std::string> FakeSmtpIo::take_notes() {
  return std::exchange(notes_, {});
}

}  // namespace endhost::smtp::test
