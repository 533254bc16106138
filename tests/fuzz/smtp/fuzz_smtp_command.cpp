// Feeds arbitrary bytes to the command reader and smtp::ServerSession under a configuration the first byte
// picks (submission, TLS offered/active/required, AUTH, loopback, relay, small limits), in reads whose sizes
// the second byte seeds, and answers every action (login ok or not, TLS ok or not, each DeliveryOutcome).
// Checks the session's promises: every reply is `ddd ` / `ddd-` lines with CRLF and one code per reply, the
// body handed to Deliver is within max_message_size, a Deliver has recipients and never a remote one for a
// client that may not relay, recipients stay within max_recipients, nothing moves after Close, and poll()
// terminates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "smtp/server_session.hpp"
#include "text/command_reader.hpp"

namespace {

using namespace endhost::smtp;
using endhost::text::ReadEvent;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

class Policy final : public RecipientPolicy {
 public:
  RecipientVerdict classify(std::string_view local, std::string_view domain) const override {
    if (!domain.empty() && domain != "hamburger.edu") return {RecipientKind::Remote, {}};
    if (local == "bob" || local == "postmaster") return {RecipientKind::LocalUser, "bob"};
    return {RecipientKind::UnknownLocal, {}};
  }
};

void check_replies(std::string_view out, bool& in_multiline, int& code) {
  while (!out.empty()) {
    const std::size_t crlf = out.find("\r\n");
    check(crlf != std::string_view::npos);
    const std::string_view line = out.substr(0, crlf);
    check(line.find_first_of("\r\n") == std::string_view::npos);
    check(line.size() >= 4 && line.size() <= 510);
    for (std::size_t i = 0; i < 3; ++i) check(line[i] >= '0' && line[i] <= '9');
    const int this_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    check(this_code >= 200 && this_code <= 599);
    check(line[3] == ' ' || line[3] == '-');
    if (in_multiline) check(this_code == code);
    code = this_code;
    in_multiline = line[3] == '-';
    out.remove_prefix(crlf + 2);
  }
}

class Driver {
 public:
  Driver(const ServerConfig& config, std::uint8_t seed)
      : config_(config),
        session_(config, policy_),
        reader_(ServerSession::reader_config(config.limits)),
        seed_(seed) {}

  void run(std::string_view bytes) {
    session_.greeting();
    drain();
    while (!bytes.empty() && !closed_) {
      const std::size_t n = reader_.feed(bytes.substr(0, 1 + next() % 97));
      bytes.remove_prefix(n);
      pump();
    }
    check(!closed_ || session_.closing());
    if (closed_) {  // nothing moves after Close
      check(std::holds_alternative<action::None>(session_.on_line("NOOP", false)));
      check(session_.writer().empty());
    }
  }

 private:
  std::uint8_t next() {
    seed_ = static_cast<std::uint8_t>(seed_ * 73 + 41);
    return seed_;
  }

  void drain() {
    const std::string_view out = session_.writer().pending();
    check(!closed_ || out.empty());
    check_replies(out, in_multiline_, code_);
    session_.writer().consumed(out.size());
  }

  void pump() {
    for (int guard = 0; guard < 100000 && !closed_; ++guard) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case ReadEvent::Kind::NeedMore:
        case ReadEvent::Kind::AwaitingDecision:
        case ReadEvent::Kind::LiteralAnnounced:
          return;
        case ReadEvent::Kind::Line:
          perform(session_.on_line(e.text, reader_.has_buffered_input()));
          break;
        case ReadEvent::Kind::Error:
          perform(session_.on_read_error(e.error));
          break;
        case ReadEvent::Kind::DataChunk:
        case ReadEvent::Kind::LiteralChunk:
          perform(session_.body_chunk(e.text));
          break;
        case ReadEvent::Kind::DataEnd:
          perform(session_.data_end(e.has_error ? std::optional(e.error) : std::nullopt));
          break;
        case ReadEvent::Kind::LiteralEnd:
          perform(session_.chunk_end());
          break;
      }
    }
  }

  void perform(Action a) {
    for (int guard = 0; guard < 1000; ++guard) {
      drain();
      if (closed_) {
        check(std::holds_alternative<action::None>(a));
        return;
      }
      check(session_.envelope().recipients.size() <= config_.limits.max_recipients);
      check(session_.message().size() <= config_.limits.max_message_size);
      if (std::holds_alternative<action::None>(a)) {
        a = session_.poll();
        if (std::holds_alternative<action::None>(a)) return;
        continue;
      }
      if (std::holds_alternative<action::Close>(a)) {
        closed_ = true;
        drain();
        return;
      }
      if (std::holds_alternative<action::VerifyLogin>(a)) {
        a = session_.login_result(next() & 1);
      } else if (std::holds_alternative<action::StartTls>(a)) {
        (void)reader_.discard_buffered();
        a = session_.tls_ready((next() & 7) != 0);
      } else if (auto* d = std::get_if<action::ReceiveData>(&a)) {
        reader_.begin_data(d->max_size);
        return;
      } else if (auto* c = std::get_if<action::ReceiveChunk>(&a)) {
        reader_.read_counted(c->size);
        return;
      } else if (auto* deliver = std::get_if<action::Deliver>(&a)) {
        const Envelope& e = deliver->envelope;
        check(!e.recipients.empty());
        check(e.recipients.size() <= config_.limits.max_recipients);
        check(session_.message().size() <= config_.limits.max_message_size);
        for (const auto& r : e.recipients) {
          if (r.kind == RecipientKind::Remote)
            check(!e.authenticated_user.empty() || config_.relay_permitted);
          check(r.kind != RecipientKind::UnknownLocal);
        }
        if (config_.submission) check(!e.authenticated_user.empty());
        (void)ServerSession::trace_headers(e, "hamburger.edu", "192.0.2.1", endhost::core::WallTime{});
        a = session_.delivered(static_cast<DeliveryOutcome>(next() % 4), "Q");
      } else {
        check(false);
      }
    }
    check(false);  // an action chain that never ends
  }

  Policy policy_;
  ServerConfig config_;
  ServerSession session_;
  endhost::text::CommandReader reader_;
  std::uint8_t seed_;
  bool closed_ = false;
  bool in_multiline_ = false;
  int code_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t bits = data[0];
  ServerConfig config;
  config.hostname = "hamburger.edu";
  config.submission = bits & 1;
  config.tls_available = bits & 2;
  config.tls_active = (bits & 6) == 6;
  config.tls_required = bits & 8;
  config.auth_available = bits & 16;
  config.peer_is_trusted = bits & 32;
  config.relay_permitted = bits & 64;
  if (bits & 128) {
    config.limits.max_message_size = 64;
    config.limits.max_recipients = 2;
    config.limits.max_errors = 3;
    config.limits.max_commands_before_mail = 5;
  }
  Driver driver(config, data[1]);
  driver.run(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
