// One IMAP connection: the loop of imap/session/session.hpp over a core::Connection. The I/O owns the
// socket and the text::CommandReader; imap::Session owns the protocol. Every command runs on the server's
// blocking pool (the store reads and fsyncs; LOGIN's hash is slow by design), and a FETCH that writes more
// than a batch is resumed there after each batch went out, so memory stays bounded by the batch.
//
// IDLE (RFC 2177): while the client is to send DONE, the read goes on as usual and a second coroutine waits
// for the selected mailbox's listener (a delivery, another session's change) or a 30 s tick (changes made by
// programs outside this process), runs idle_update() on the pool and sends the untagged responses. On input
// the reader stops it and waits for it before the session sees the line, so the two never touch the session
// at once.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/address_acl_asio.hpp"
#include "core/starttls.hpp"
#include "imap/session/session.hpp"
#include "mail/server/imap_access.hpp"
#include "mail/server/imap_session.hpp"
#include "mail/server/mail_server.hpp"
#include "text/command_reader.hpp"

namespace endhost::mail::server {

namespace {

// Dovecot's mailbox_idle_check_interval: how often an IDLE looks for changes nobody announced.
constexpr std::chrono::seconds kIdleCheck{30};
// Output shown by --trace per write; a FETCH of a 10 MB message in the terminal helps nobody.
constexpr std::size_t kTraceBytes = 4096;

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

imap::SessionConfig session_config(core::Connection& conn, MailServer& server) {
  const MailConfig& c = server.config();
  imap::SessionConfig s;
  s.hostname = c.hostname;
  s.tls_available = server.tls() != nullptr;
  s.peer_is_trusted = c.trusts(unmapped(conn.remote().address()));
  s.max_message_size = c.max_message_size;
  return s;
}

// What the mailbox's listener and the idle coroutine share; the listener holds it weakly, so a change
// that comes after the connection ended finds nothing to wake.
struct IdleSignal {
  explicit IdleSignal(asio::any_io_executor ex) : wake(ex), done(ex) {}
  asio::steady_timer wake;
  asio::steady_timer done;  // cancelled when the idle coroutine has finished
  bool stop = false;
  bool running = false;
};

class ImapConnection {
 public:
  ImapConnection(core::Connection& conn, MailServer& server, const ImapCounters& counters)
      : conn_(conn),
        srv_(server),
        counters_(counters),
        directory_(server.store(), server.users(), server.config().max_message_size),
        proto_(session_config(conn, server), directory_),
        reader_(proto_.reader_config()) {}

  awaitable<void> run();

 private:
  awaitable<bool> flush();
  awaitable<bool> act(imap::Step step);
  awaitable<bool> pump();
  void account();
  awaitable<void> idle_watch(std::shared_ptr<IdleSignal> signal);
  void start_idle();
  awaitable<void> stop_idle();

  void note(std::string_view text) const { srv_.transcript().note(conn_.peer(), text); }
  void count(core::Counter* c, std::uint64_t n = 1) const {
    if (c && n > 0) c->inc(n, conn_.loop().index());
  }

  core::Connection& conn_;
  MailServer& srv_;
  const ImapCounters& counters_;
  ImapDirectory directory_;
  imap::Session proto_;
  text::CommandReader reader_;
  std::size_t traced_ = 0;
  std::shared_ptr<IdleSignal> idle_;
  std::uint64_t idle_subscription_ = 0;
  std::shared_ptr<store::Mailbox> idle_mailbox_;
  bool writing_ = false;
  imap::SessionStats seen_;
};

awaitable<bool> ImapConnection::flush() {
  while (!proto_.output().empty()) {
    const std::string_view out = proto_.output();
    if (out.size() > traced_ && srv_.transcript().enabled()) {
      std::string_view shown = out.substr(traced_);
      if (shown.size() > kTraceBytes) {
        srv_.transcript().server(conn_.peer(), shown.substr(0, kTraceBytes));
        note("(" + std::to_string(shown.size() - kTraceBytes) + " more bytes not shown)");
      } else {
        srv_.transcript().server(conn_.peer(), shown);
      }
    }
    traced_ = out.size();
    conn_.expires_after(srv_.config().write_timeout);
    writing_ = true;
    auto [ec, n] =
        co_await asio::async_write(conn_.stream(), asio::buffer(out.data(), out.size()), use_nothrow);
    writing_ = false;
    if (ec) co_return false;
    proto_.consumed(n);
    traced_ -= std::min(traced_, n);
  }
  co_return true;
}

void ImapConnection::account() {
  const imap::SessionStats& st = proto_.stats();
  count(counters_.logins, st.logins - seen_.logins);
  count(counters_.login_failures, st.login_failures - seen_.login_failures);
  count(counters_.fetched, st.fetched_messages - seen_.fetched_messages);
  count(counters_.appended, st.appended - seen_.appended);
  count(counters_.expunged, st.expunged - seen_.expunged);
  seen_ = st;
}

awaitable<bool> ImapConnection::act(imap::Step step) {
  for (;;) {
    if (step == imap::Step::None) co_return true;
    if (step == imap::Step::Close) {
      co_await flush();
      co_return false;
    }
    if (step == imap::Step::Execute || step == imap::Step::More) {
      const bool resume = step == imap::Step::More;
      if (resume) {
        const bool sent = co_await flush();
        if (!sent) co_return false;
      }
      auto job = [this, resume]() { return resume ? proto_.resume() : proto_.execute(); };
      auto r = co_await srv_.pool().run(job);
      if (!r) {
        // The pool is full or stopping: the command did not run. RFC 3501 §7.1.5: BYE, and close.
        note("pool refused: " + r.error());
        const std::string bye = "* BYE Server busy, try again later.\r\n";
        conn_.expires_after(std::chrono::seconds(5));
        co_await asio::async_write(conn_.stream(), asio::buffer(bye.data(), bye.size()), use_nothrow);
        co_return false;
      }
      account();
      step = *r;
      continue;
    }
    if (step == imap::Step::StartTls) {
      const bool sent = co_await flush();
      if (!sent || !srv_.tls()) co_return false;
      conn_.expires_after(std::chrono::seconds(30));
      // RFC 3501 §6.2.1 / CVE-2011-0411: what came after STARTTLS in the clear is dropped.
      auto up = co_await core::starttls_server(conn_.stream(), *srv_.tls(), reader_);
      if (!up) note(up.error());
      if (up && up->discarded > 0)
        note("dropped " + std::to_string(up->discarded) + " bytes sent before the handshake");
      if (up) count(counters_.starttls);
      step = proto_.tls_ready(up.has_value());
      continue;
    }
    // Step::Idle
    const bool sent = co_await flush();
    if (!sent) co_return false;
    start_idle();
    co_return true;
  }
}

void ImapConnection::start_idle() {
  auto signal = std::make_shared<IdleSignal>(conn_.stream().lowest_layer().get_executor());
  signal->running = true;
  signal->done.expires_at(asio::steady_timer::time_point::max());
  idle_ = signal;
  if (auto folder = std::dynamic_pointer_cast<ImapFolder>(proto_.selected_folder())) {
    idle_mailbox_ = folder->mailbox_ptr();
    std::weak_ptr<IdleSignal> weak = signal;
    auto ex = conn_.stream().lowest_layer().get_executor();
    idle_subscription_ = idle_mailbox_->subscribe([weak, ex]() {
      asio::post(ex, [weak]() {
        if (auto s = weak.lock()) s->wake.cancel();
      });
    });
  }
  asio::co_spawn(conn_.stream().lowest_layer().get_executor(), idle_watch(signal), asio::detached);
}

awaitable<void> ImapConnection::idle_watch(std::shared_ptr<IdleSignal> signal) {
  while (!signal->stop) {
    signal->wake.expires_after(kIdleCheck);
    co_await signal->wake.async_wait(use_nothrow);
    if (signal->stop) break;
    auto job = [this]() {
      proto_.idle_update();
      return true;
    };
    auto r = co_await srv_.pool().run(job);
    if (!r || signal->stop) break;
    if (!proto_.output().empty()) {
      const bool sent = co_await flush();
      if (!sent) break;
      conn_.expires_after(proto_.read_timeout());
    }
  }
  signal->running = false;
  signal->done.cancel();
}

awaitable<void> ImapConnection::stop_idle() {
  if (!idle_) co_return;
  std::shared_ptr<IdleSignal> signal = std::move(idle_);
  if (idle_mailbox_) {
    idle_mailbox_->unsubscribe(idle_subscription_);
    idle_mailbox_.reset();
  }
  signal->stop = true;
  signal->wake.cancel();
  while (signal->running) co_await signal->done.async_wait(use_nothrow);
}

awaitable<bool> ImapConnection::pump() {
  for (;;) {
    if (proto_.closing()) co_return false;
    const text::ReadEvent e = reader_.next();
    if (e.kind == text::ReadEvent::Kind::NeedMore || e.kind == text::ReadEvent::Kind::AwaitingDecision)
      co_return true;
    // The idle watcher must be quiet before the session sees input.
    if (idle_) co_await stop_idle();
    imap::Step step = imap::Step::None;
    switch (e.kind) {
      case text::ReadEvent::Kind::Line:
        count(counters_.commands);
        if (srv_.transcript().enabled()) srv_.transcript().client(conn_.peer(), proto_.traceable(e.text));
        step = proto_.on_line(e.text);
        break;
      case text::ReadEvent::Kind::LiteralAnnounced: {
        const auto d = proto_.on_literal(e.text, e.literal_size, e.non_synchronizing);
        if (srv_.transcript().enabled())
          srv_.transcript().client(conn_.peer(),
                                   proto_.traceable(e.text) + " {" + std::to_string(e.literal_size) + "}");
        if (d == imap::LiteralDecision::Accept && reader_.accept_literal()) {
          if (!e.non_synchronizing) {  // the client waits for `+`
            const bool sent = co_await flush();
            if (!sent) co_return false;
          }
          break;
        }
        step = proto_.literal_refused(reader_.refuse_literal());
        break;
      }
      case text::ReadEvent::Kind::LiteralChunk:
        proto_.literal_chunk(e.text);
        break;
      case text::ReadEvent::Kind::LiteralEnd:
        if (srv_.transcript().enabled()) note("literal read");
        step = proto_.literal_end();
        break;
      case text::ReadEvent::Kind::Error:
        if (srv_.transcript().enabled()) note("refused line: " + std::string(text::describe(e.error)));
        step = proto_.on_read_error(e.error);
        break;
      default:
        break;
    }
    const bool alive = co_await act(step);
    if (!alive) co_return false;
  }
}

awaitable<void> ImapConnection::run() {
  count(counters_.sessions);
  note("connection opened (IMAP)");
  if (conn_.draining()) {
    proto_.refuse("Server shutting down.");
  } else {
    proto_.greeting();
  }
  bool alive = true;
  while (alive) {
    if (!idle_) {
      const bool sent = co_await flush();
      if (!sent) break;
    }
    if (proto_.closing()) break;
    // Between commands (or idling, waiting for DONE): a drain may end the connection here.
    const bool between = reader_.buffered() == 0 && proto_.between_commands();
    if (between && conn_.draining()) {
      if (idle_) co_await stop_idle();
      // RFC 3501 §7.1.5: BYE before the server closes the connection.
      const std::string bye = "* BYE Server shutting down.\r\n";
      conn_.expires_after(std::chrono::seconds(5));
      co_await asio::async_write(conn_.stream(), asio::buffer(bye.data(), bye.size()), use_nothrow);
      break;
    }
    bool idle = false;
    if (between) {
      if (!conn_.begin_idle()) continue;  // draining: the next turn says BYE
      idle = true;
    }
    conn_.expires_after(proto_.read_timeout());
    const std::span<char> space = reader_.read_space();
    if (space.empty()) break;
    auto [ec, n] =
        co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
    if (idle) conn_.end_idle();
    if (n > 0) {
      reader_.commit(n);
      alive = co_await pump();
      continue;
    }
    if (idle_) co_await stop_idle();
    if (conn_.timed_out()) {
      conn_.clear_timed_out();
      note("timeout");
      alive = co_await act(proto_.on_timeout());
      continue;
    }
    if (ec == asio::error::operation_aborted && conn_.draining()) continue;
    break;
  }
  if (idle_) co_await stop_idle();
  conn_.stream().shutdown();
  note("connection closed");
}

}  // namespace

ImapCounters::ImapCounters(core::MetricsRegistry& metrics)
    : sessions(&metrics.counter("endhost_imap_sessions_total", "IMAP connections served")),
      commands(&metrics.counter("endhost_imap_commands_total", "IMAP command lines received")),
      logins(&metrics.counter("endhost_imap_logins_total", "IMAP logins")),
      login_failures(&metrics.counter("endhost_imap_login_failures_total", "IMAP logins refused")),
      fetched(&metrics.counter("endhost_imap_fetched_total", "Messages answered by FETCH")),
      appended(&metrics.counter("endhost_imap_appended_total", "Messages stored by APPEND")),
      expunged(&metrics.counter("endhost_imap_expunged_total", "Messages expunged over IMAP")),
      starttls(&metrics.counter("endhost_imap_starttls_total", "IMAP sessions upgraded by STARTTLS")) {}

awaitable<void> serve_imap(core::Connection& conn, MailServer& server, const ImapCounters& counters) {
  ImapConnection session(conn, server, counters);
  co_await session.run();
}

awaitable<void> refuse_imap(core::Connection& conn) {
  const std::string busy = "* BYE Too many connections, try again later.\r\n";
  conn.expires_after(std::chrono::seconds(5));
  co_await asio::async_write(conn.stream(), asio::buffer(busy.data(), busy.size()), use_nothrow);
  conn.stream().shutdown();
}

}  // namespace endhost::mail::server
