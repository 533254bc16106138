// Feeds arbitrary bytes to the command reader and pop3::ServerSession under a configuration the first byte
// picks (TLS offered/active, a users file, loopback, small limits, how the mailbox and the messages open,
// UPDATE's outcome), in reads whose sizes the second byte seeds, and answers every action (login ok or not,
// TLS ok or not, message bytes in chunks of fuzzer-chosen sizes). Checks the session's promises: the output
// is CRLF lines only and never past the writer's bound, a ReadMessage fits the writer, Update comes at most
// once, only from TRANSACTION, names only uids of the snapshot and never one both expunged and seen, a
// plain-text login is only asked for over TLS or loopback, nothing moves after Close, and every chain of
// actions ends.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "pop3/server_session.hpp"
#include "text/command_reader.hpp"

namespace {

using namespace endhost::pop3;
using endhost::text::ReadEvent;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// uid 3 and 5 (numbers 1 and 2): CRLF with a dot line; bare LF and a bare CR.
constexpr std::string_view kFirst = "Subject: a\r\n\r\n.dot\r\nline\r\n";
constexpr std::string_view kSecond = "Subject: b\n\n..two\rthree\nend";

class Driver {
 public:
  Driver(const ServerConfig& config, std::uint8_t bits, std::uint8_t seed)
      : config_(config),
        session_(config),
        reader_(ServerSession::reader_config(config.limits)),
        bits_(bits),
        seed_(seed) {}

  void run(std::string_view bytes) {
    session_.greeting();
    drain();
    while (!bytes.empty() && !closed_) {
      const std::size_t n = reader_.feed(bytes.substr(0, 1 + next() % 97));
      bytes.remove_prefix(n);
      pump();
    }
    if (!closed_ && (next() & 1)) perform(session_.on_timeout());  // the autologout: no UPDATE, no reply
    if (closed_) {                                                 // nothing moves after Close
      check(std::holds_alternative<action::None>(session_.on_line("NOOP")));
      check(std::holds_alternative<action::None>(session_.resume()));
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
    check(out.size() <= endhost::text::WriterLimits{}.max_buffer);
    check(!closed_ || out.empty());
    for (const char c : out) {  // CRLF only, across drains too
      if (held_cr_)
        check(c == '\n');
      else
        check(c != '\n');
      held_cr_ = c == '\r';
    }
    session_.writer().consumed(out.size());
  }

  void pump() {
    for (int guard = 0; guard < 100000 && !closed_; ++guard) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case ReadEvent::Kind::Line:
          perform(session_.on_line(e.text));
          break;
        case ReadEvent::Kind::Error:
          perform(session_.on_read_error(e.error));
          break;
        default:
          return;
      }
    }
  }

  void perform(Action a) {
    for (int guard = 0; guard < 100000; ++guard) {
      if (closed_) {
        check(std::holds_alternative<action::None>(a));
        return;
      }
      // Some I/Os send only at a Flush: let the writer fill now and then.
      if ((next() & 3) != 0 || std::holds_alternative<action::Flush>(a)) drain();
      if (std::holds_alternative<action::None>(a)) {
        a = session_.poll();
        if (std::holds_alternative<action::None>(a)) return;
        continue;
      }
      if (std::holds_alternative<action::Close>(a)) {
        drain();  // the last reply goes out; nothing after it
        closed_ = true;
        return;
      }
      if (auto* v = std::get_if<action::VerifyLogin>(&a)) {
        check(config_.auth_available && (session_.tls_active() || config_.peer_is_trusted));
        check(!v->user.empty());
        a = session_.login_result(next() & 1);
      } else if (auto* o = std::get_if<action::OpenMailbox>(&a)) {
        check(!o->user.empty());
        Mailbox box;
        box.status = (bits_ & 32) ? static_cast<MailboxStatus>(next() % 3) : MailboxStatus::Opened;
        if (box.status == MailboxStatus::Opened) {
          box.messages = {{3, 30, "uid-3"}, {5, 31, "uid-5"}};
          if (bits_ & 64) box.messages.clear();
        }
        a = session_.mailbox_opened(std::move(box));
      } else if (std::holds_alternative<action::StartTls>(a)) {
        check(config_.tls_available && !session_.tls_active());
        (void)reader_.discard_buffered();
        a = session_.tls_ready((next() & 7) != 0);
      } else if (std::holds_alternative<action::Flush>(a)) {
        a = session_.resume();
      } else if (auto* m = std::get_if<action::OpenMessage>(&a)) {
        check(m->uid == 3 || m->uid == 5);
        check(session_.state() == State::Transaction);
        message_ = m->uid == 3 ? kFirst : kSecond;
        const std::uint8_t r = next();
        a = session_.message_opened(r < 16   ? MessageStatus::Gone
                                    : r < 32 ? MessageStatus::Failed
                                             : MessageStatus::Opened);
      } else if (auto* r = std::get_if<action::ReadMessage>(&a)) {
        check(r->max > 0);
        check(2 * r->max + 7 <= session_.writer().room());
        if (next() == 0) {
          a = session_.message_failed();
          continue;
        }
        const std::size_t n = std::min({r->max, std::size_t{1} + next() % 16, message_.size()});
        const std::string_view chunk = message_.substr(0, n);
        message_.remove_prefix(n);
        a = session_.message_chunk(chunk, message_.empty());
      } else if (auto* u = std::get_if<action::Update>(&a)) {
        check(!updated_);
        updated_ = true;
        check(session_.state() == State::Update);
        for (const auto uid : u->expunge) {
          check(uid == 3 || uid == 5);
          check(std::find(u->seen.begin(), u->seen.end(), uid) == u->seen.end());
        }
        for (const auto uid : u->seen) check(uid == 3 || uid == 5);
        a = session_.update_done((next() & 7) != 0);
      } else {
        check(false);
      }
    }
    check(false);  // an action chain that never ends
  }

  ServerConfig config_;
  ServerSession session_;
  endhost::text::CommandReader reader_;
  std::uint8_t bits_;
  std::uint8_t seed_;
  std::string_view message_;
  bool closed_ = false;
  bool updated_ = false;
  bool held_cr_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t bits = data[0];
  ServerConfig config;
  config.hostname = "hamburger.edu";
  config.tls_available = bits & 1;
  config.tls_active = (bits & 3) == 3;
  config.auth_available = (bits & 4) == 0;
  config.peer_is_trusted = bits & 8;
  if (bits & 16) {
    config.limits.max_errors = 3;
    config.limits.max_auth_failures = 1;
    config.limits.max_deferred = 2;
  }
  Driver driver(config, bits, data[1]);
  driver.run(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
