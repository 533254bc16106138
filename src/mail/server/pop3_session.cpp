// One POP3 connection: the loop of pop3/server_session.hpp over a core::Connection. The I/O owns the socket,
// the text::CommandReader, the mailbox lock and the open message; the ServerSession owns the protocol. Each
// reader event goes to the session and each Action it returns is carried out before the next event; the
// completions (login_result, mailbox_opened, message_opened, message_chunk, update_done) may return further
// actions, and poll() follows them. Replies go out before every read, when the session asks (Flush) and
// whenever a pipelined group's replies pass kFlushAt, so the writer's bound is never reached.
//
// Blocking work is on the server's pool: password checks, the store (refresh, lock, snapshot, reads,
// expunge, flags). A message up to kWholeRead comes in one read; a larger one from an fd in kFileBlock
// blocks, sent between the blocks, so a 50 MB message is never in memory whole.
#include "mail/server/pop3_session.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "auth/user_db.hpp"
#include "auth/verify_login.hpp"
#include "core/starttls.hpp"
#include "pop3/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::mail::server {

namespace {

constexpr std::size_t kWholeRead = 128 * 1024;  // messages up to this: one pool job, one string
constexpr std::size_t kFileBlock = 256 * 1024;  // larger ones: pread() blocks of this
constexpr std::size_t kFlushAt = 16 * 1024;     // replies of pipelined commands sent once they pass this
// --trace shows this much of each command's answer (a message, a listing); a note says what was left out.
constexpr std::size_t kTraceAnswerBytes = 8 * 1024;

asio::ip::address unmapped_address(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

pop3::ServerConfig session_config(core::Connection& conn, MailServer& server, const UsersSnapshot& users) {
  pop3::ServerConfig s;
  s.hostname = server.config().hostname;
  s.tls_available = server.tls() != nullptr;
  s.auth_available = users.users() != nullptr;
  s.peer_is_trusted = server.config().trusts(unmapped_address(conn.remote().address()));
  return s;
}

class Session {
 public:
  Session(core::Connection& conn, MailServer& server, const Pop3Counters& counters)
      : conn_(conn),
        srv_(server),
        counters_(counters),
        users_(server.users()),
        proto_(session_config(conn, server, *users_)),
        reader_(pop3::ServerSession::reader_config(proto_.config().limits)) {}
  ~Session();

  awaitable<void> run();

 private:
  awaitable<bool> flush();
  // Carries out `first` and everything that follows from it; false ends the session.
  awaitable<bool> act(pop3::Action& first);
  awaitable<pop3::Action> login(pop3::action::VerifyLogin& v);
  awaitable<pop3::Action> open_mailbox(pop3::action::OpenMailbox& o);
  awaitable<std::optional<pop3::Action>> starttls();
  awaitable<pop3::Action> open_message(pop3::action::OpenMessage& m);
  awaitable<pop3::Action> read_message(pop3::action::ReadMessage& r);
  awaitable<pop3::Action> update(pop3::action::Update& u);
  awaitable<void> unlock();
  void close_message();
  // Takes reader events while the session can take them; false ends the session.
  awaitable<bool> pump();
  void count_stats();

  void note(std::string_view text) const { srv_.transcript().note(conn_.peer(), text); }
  void count(core::Counter* c, std::uint64_t n = 1) const {
    if (c) c->inc(n, conn_.loop().index());
  }
  void trace_answer_end();

  core::Connection& conn_;
  MailServer& srv_;
  const Pop3Counters& counters_;
  std::shared_ptr<const UsersSnapshot> users_;  // the snapshot this session began with (SIGHUP swaps)
  pop3::ServerSession proto_;
  text::CommandReader reader_;

  std::shared_ptr<store::UserStore> user_store_;
  std::shared_ptr<store::Mailbox> mailbox_;  // set (and locked) from a successful login on
  bool locked_ = false;

  // The message being sent: in memory (`body_`, from `body_at_`), or from `fd_` at `file_offset_` in
  // blocks read into `body_`.
  std::string body_;
  std::size_t body_at_ = 0;
  int fd_ = -1;
  std::uint64_t file_offset_ = 0;
  bool body_end_ = false;  // nothing follows what `body_` holds

  std::size_t traced_ = 0;      // bytes at the front of the writer's pending() already in the transcript
  std::size_t trace_left_ = 0;  // of this answer
  std::uint64_t trace_skipped_ = 0;
  pop3::SessionStats seen_;  // the session's stats already counted
};

Session::~Session() {
  close_message();
  // Only if the coroutine was torn down before run() could release it (the loops stopped): flock's release
  // cannot block on the disk.
  if (locked_ && mailbox_) mailbox_->unlock_exclusive();
}

void Session::close_message() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  body_.clear();
  body_.shrink_to_fit();  // an idle session holds no message
  body_at_ = 0;
  file_offset_ = 0;
  body_end_ = false;
}

void Session::trace_answer_end() {
  if (trace_skipped_ > 0 && srv_.transcript().enabled())
    note("(" + std::to_string(trace_skipped_) + " more bytes of the answer not shown)");
  trace_skipped_ = 0;
  trace_left_ = kTraceAnswerBytes;
}

awaitable<bool> Session::flush() {
  while (!proto_.writer().empty()) {
    const std::string_view out = proto_.writer().pending();
    if (out.size() > traced_ && srv_.transcript().enabled()) {
      std::string_view fresh = out.substr(traced_);
      if (fresh.size() > trace_left_) {  // whole lines only, up to what is left of this answer's share
        const std::size_t lf = fresh.substr(0, trace_left_).rfind('\n');
        const std::size_t shown = lf == std::string_view::npos ? 0 : lf + 1;
        trace_skipped_ += fresh.size() - shown;
        fresh = fresh.substr(0, shown);
      }
      trace_left_ -= std::min(trace_left_, fresh.size());
      if (!fresh.empty()) srv_.transcript().server(conn_.peer(), fresh);
    }
    traced_ = out.size();
    conn_.expires_after(srv_.config().write_timeout);
    auto [ec, n] =
        co_await asio::async_write(conn_.stream(), asio::buffer(out.data(), out.size()), use_nothrow);
    if (ec) co_return false;
    proto_.writer().consumed(n);
    traced_ -= std::min(traced_, n);
  }
  co_return true;
}

awaitable<pop3::Action> Session::login(pop3::action::VerifyLogin& v) {
  const std::optional<auth::User> user =
      co_await auth::verify_login(srv_.pool(), users_->users(), v.user, v.password);
  if (user) co_return proto_.login_result(true);
  count(counters_.login_failures);
  if (srv_.transcript().enabled()) note("login failed for " + v.user);
  // Dovecot's auth_failure_delay: a guesser gets max_auth_failures tries per connection, each this slow.
  asio::steady_timer delay(conn_.loop().io());
  delay.expires_after(v.failure_delay);
  co_await delay.async_wait(use_nothrow);
  co_return proto_.login_result(false);
}

awaitable<pop3::Action> Session::open_mailbox(pop3::action::OpenMailbox& o) {
  struct Opened {
    pop3::Mailbox box;
    std::shared_ptr<store::UserStore> user;
    std::shared_ptr<store::Mailbox> mailbox;
    std::string error;  // why it failed, for the log
    std::string rebuilt;
  };
  store::Store& store = srv_.store();
  const std::string& name = o.user;  // a named local: lambdas do not capture coroutine parameters (GCC 12)
  auto job = [&store, &name]() {
    Opened out;
    auto user = store.user(name);
    if (!user) {
      out.error = user.error().message;
      return out;
    }
    store::Mailbox::OpenReport report;
    auto mailbox = (*user)->open("INBOX", &report);
    if (!mailbox) {
      out.error = mailbox.error().message;
      return out;
    }
    if (report.rebuilt) out.rebuilt = report.why;
    // RFC 1939 §8: the maildrop is locked for the session; the snapshot is taken under the lock, after
    // what arrived in new/ was taken in.
    if (!(*mailbox)->try_lock_exclusive()) {
      out.box.status = pop3::MailboxStatus::InUse;
      return out;
    }
    auto fresh = (*mailbox)->refresh();
    if (!fresh) {
      (*mailbox)->unlock_exclusive();
      out.error = fresh.error().message;
      return out;
    }
    const store::Mailbox::Snapshot snapshot = (*mailbox)->snapshot();
    out.box.messages.reserve(snapshot.messages.size());
    for (const auto& m : snapshot.messages)
      out.box.messages.push_back({m.uid, m.size, pop3_unique_id(m.base)});
    out.box.status = pop3::MailboxStatus::Opened;
    out.user = std::move(*user);
    out.mailbox = std::move(*mailbox);
    return out;
  };
  auto done = co_await srv_.pool().run(job);
  if (!done) {
    srv_.log().error("POP3 mailbox not opened",
                     {{"service", "mail"}, {"user", o.user}, {"error", done.error()}});
    co_return proto_.mailbox_opened({pop3::MailboxStatus::Failed, {}});
  }
  if (!done->rebuilt.empty())
    srv_.log().warn("mailbox index rebuilt", {{"service", "mail"}, {"user", o.user}, {"why", done->rebuilt}});
  if (!done->error.empty()) {
    srv_.log().error("POP3 mailbox not opened",
                     {{"service", "mail"}, {"user", o.user}, {"error", done->error}});
    if (srv_.transcript().enabled()) note("mailbox not opened: " + done->error);
  }
  if (done->box.status == pop3::MailboxStatus::Opened) {
    user_store_ = std::move(done->user);
    mailbox_ = std::move(done->mailbox);
    locked_ = true;
    count(counters_.logins);
  } else if (done->box.status == pop3::MailboxStatus::InUse) {
    count(counters_.in_use);
    if (srv_.transcript().enabled()) note("mailbox of " + o.user + " is in use");
  }
  co_return proto_.mailbox_opened(std::move(done->box));
}

awaitable<std::optional<pop3::Action>> Session::starttls() {
  // The +OK goes out in the clear first.
  const bool sent = co_await flush();
  if (!sent || !srv_.tls()) co_return std::nullopt;
  conn_.expires_after(std::chrono::seconds(30));
  // Whatever followed STLS in the clear is dropped (RFC 2595 §4, CVE-2011-0411).
  auto up = co_await core::starttls_server(conn_.stream(), *srv_.tls(), reader_);
  if (!up) {
    note(up.error());
    co_return proto_.tls_ready(false);
  }
  if (up->discarded > 0)
    note("dropped " + std::to_string(up->discarded) + " bytes sent before the handshake");
  count(counters_.starttls);
  co_return proto_.tls_ready(true);
}

awaitable<pop3::Action> Session::open_message(pop3::action::OpenMessage& m) {
  close_message();
  struct Opened {
    pop3::MessageStatus status = pop3::MessageStatus::Failed;
    std::string bytes;
    int fd = -1;
    std::string error;
  };
  store::Mailbox* mailbox = mailbox_.get();
  const std::uint32_t uid = m.uid;
  auto job = [mailbox, uid]() {
    Opened out;
    auto whole = mailbox->read(uid, kWholeRead);
    if (whole) {
      out.bytes = std::move(*whole);
      out.status = pop3::MessageStatus::Opened;
      return out;
    }
    if (whole.error().kind == store::StoreError::Kind::TooBig) {
      auto fd = mailbox->open(uid);
      if (fd) {
        out.fd = *fd;
        out.status = pop3::MessageStatus::Opened;
        return out;
      }
      whole = Unexpected(fd.error());
    }
    out.status = whole.error().kind == store::StoreError::Kind::NoSuchMessage ? pop3::MessageStatus::Gone
                                                                              : pop3::MessageStatus::Failed;
    out.error = whole.error().message;
    return out;
  };
  auto done = co_await srv_.pool().run(job);
  if (!done) co_return proto_.message_opened(pop3::MessageStatus::Failed);
  if (!done->error.empty() && done->status == pop3::MessageStatus::Failed)
    srv_.log().error("POP3 message not read", {{"service", "mail"}, {"error", done->error}});
  body_ = std::move(done->bytes);
  fd_ = done->fd;
  body_end_ = fd_ < 0;
  co_return proto_.message_opened(done->status);
}

awaitable<pop3::Action> Session::read_message(pop3::action::ReadMessage& r) {
  if (body_at_ == body_.size() && !body_end_) {
    body_.resize(kFileBlock);
    body_at_ = 0;
    const int fd = fd_;
    const std::uint64_t offset = file_offset_;
    char* data = body_.data();
    auto job = [fd, offset, data]() -> ssize_t {
      for (;;) {
        const ssize_t n = ::pread(fd, data, kFileBlock, static_cast<off_t>(offset));
        if (n >= 0 || errno != EINTR) return n;
      }
    };
    auto done = co_await srv_.pool().run(job);
    if (!done || *done < 0) {
      body_.clear();
      note("message read failed");
      co_return proto_.message_failed();
    }
    body_.resize(static_cast<std::size_t>(*done));
    file_offset_ += body_.size();
    body_end_ = body_.size() < kFileBlock;  // a regular file's short read is its end
  }
  const std::size_t n = std::min(r.max, body_.size() - body_at_);
  const std::string_view chunk = std::string_view(body_).substr(body_at_, n);
  body_at_ += n;
  co_return proto_.message_chunk(chunk, body_end_ && body_at_ == body_.size());
}

awaitable<pop3::Action> Session::update(pop3::action::Update& u) {
  // RFC 1939 §6: the deletions first; \Seen on what was retrieved is worth less than a reply that lies.
  store::Mailbox* mailbox = mailbox_.get();
  const std::vector<std::uint32_t>* expunge = &u.expunge;  // not the parameter itself (core.md, GCC 12)
  const std::vector<std::uint32_t>* seen = &u.seen;
  std::string seen_error;
  // The maildrop is unlocked in the same job, before the +OK goes out: a client that reconnects as soon as it
  // has the answer to QUIT must not find its own old session still holding the lock ([IN-USE]).
  const bool locked = locked_;
  auto job = [mailbox, expunge, seen, locked, &seen_error]() -> std::string {
    if (!mailbox) return "no mailbox";
    std::string error;
    if (!expunge->empty()) {
      auto removed = mailbox->expunge(*expunge);
      if (!removed) error = removed.error().message;
    }
    if (error.empty() && !seen->empty()) {
      auto flagged = mailbox->store_flags(*seen, store::Mailbox::FlagOp::Add, store::Flags{store::kSeen, 0});
      if (!flagged) seen_error = flagged.error().message;
    }
    if (locked) mailbox->unlock_exclusive();
    return error;
  };
  auto done = co_await srv_.pool().run(job);
  if (done) locked_ = false;
  const std::string error = !done ? done.error() : *done;
  if (!seen_error.empty())
    srv_.log().warn("POP3 \\Seen not stored", {{"service", "mail"}, {"error", seen_error}});
  if (!error.empty()) {
    srv_.log().error("POP3 UPDATE failed", {{"service", "mail"}, {"error", error}});
    if (srv_.transcript().enabled()) note("update failed: " + error);
    co_return proto_.update_done(false);
  }
  count(counters_.deleted, expunge->size());
  if (srv_.transcript().enabled() && !expunge->empty())
    note("expunged " + std::to_string(expunge->size()) + " message(s)");
  co_return proto_.update_done(true);
}

awaitable<void> Session::unlock() {
  if (!locked_ || !mailbox_) co_return;
  store::Mailbox* mailbox = mailbox_.get();
  auto job = [mailbox]() {
    mailbox->unlock_exclusive();
    return true;
  };
  const auto done = co_await srv_.pool().run(job);
  if (!done) mailbox->unlock_exclusive();  // the pool is gone: it is one flock(LOCK_UN) and a close
  locked_ = false;
}

awaitable<bool> Session::act(pop3::Action& first) {
  pop3::Action a = std::move(first);
  bool completed = false;  // a completion ran: poll() until None
  for (;;) {
    // The message stays open only while the session reads it (ReadMessage) or waits for the socket (Flush).
    if (!std::holds_alternative<pop3::action::ReadMessage>(a) &&
        !std::holds_alternative<pop3::action::Flush>(a))
      close_message();
    if (std::holds_alternative<pop3::action::None>(a)) {
      if (!completed) co_return true;
      pop3::Action kept = proto_.poll();
      if (std::holds_alternative<pop3::action::None>(kept)) co_return true;
      a = std::move(kept);
      continue;
    }
    if (std::holds_alternative<pop3::action::Close>(a)) {
      co_await flush();
      co_return false;
    }
    completed = true;
    if (auto* v = std::get_if<pop3::action::VerifyLogin>(&a)) {
      pop3::Action next = co_await login(*v);
      a = std::move(next);
    } else if (auto* o = std::get_if<pop3::action::OpenMailbox>(&a)) {
      pop3::Action next = co_await open_mailbox(*o);
      a = std::move(next);
    } else if (std::holds_alternative<pop3::action::StartTls>(a)) {
      auto next = co_await starttls();
      if (!next) co_return false;
      a = std::move(*next);
    } else if (std::holds_alternative<pop3::action::Flush>(a)) {
      const bool sent = co_await flush();
      if (!sent) co_return false;
      a = proto_.resume();
    } else if (auto* m = std::get_if<pop3::action::OpenMessage>(&a)) {
      pop3::Action next = co_await open_message(*m);
      a = std::move(next);
    } else if (auto* r = std::get_if<pop3::action::ReadMessage>(&a)) {
      pop3::Action next = co_await read_message(*r);
      a = std::move(next);
    } else if (auto* u = std::get_if<pop3::action::Update>(&a)) {
      pop3::Action next = co_await update(*u);
      a = std::move(next);
    } else {
      a = pop3::action::None{};
    }
  }
}

void Session::count_stats() {
  const pop3::SessionStats& now = proto_.stats();
  count(counters_.retrieved, now.retrieved - seen_.retrieved);
  count(counters_.retrieved_bytes, now.retrieved_bytes - seen_.retrieved_bytes);
  seen_ = now;
}

awaitable<bool> Session::pump() {
  for (;;) {
    if (proto_.closing()) co_return false;
    const text::ReadEvent e = reader_.next();
    pop3::Action a;
    if (e.kind == text::ReadEvent::Kind::Line) {
      count(counters_.commands);
      if (srv_.transcript().enabled()) {
        trace_answer_end();
        srv_.transcript().client(conn_.peer(), pop3::ServerSession::traceable(e.text, proto_.sasl_pending()));
      }
      a = proto_.on_line(e.text);
    } else if (e.kind == text::ReadEvent::Kind::Error) {
      if (srv_.transcript().enabled()) note("refused line: " + std::string(text::describe(e.error)));
      a = proto_.on_read_error(e.error);
    } else {
      co_return true;  // NeedMore: POP3 has no literals and no DATA
    }
    const bool alive = co_await act(a);
    count_stats();
    if (!alive) co_return false;
    if (proto_.writer().pending().size() >= kFlushAt) {
      const bool sent = co_await flush();
      if (!sent) co_return false;
    }
  }
}

awaitable<void> Session::run() {
  count(counters_.sessions);
  note("connection opened");
  trace_left_ = kTraceAnswerBytes;
  bool alive = true;
  if (conn_.draining()) {
    pop3::Action refused = proto_.refuse("Server shutting down");
    alive = co_await act(refused);
  } else {
    proto_.greeting();
  }
  while (alive) {
    const bool sent = co_await flush();
    if (!sent || proto_.closing()) break;
    // Every action is finished before the next read, so with nothing buffered the session is between
    // commands: a drain may end it there (RFC 1939 has no word for it; like a drop, it deletes nothing).
    const bool between_commands = reader_.buffered() == 0;
    if (between_commands && (conn_.draining() || !conn_.begin_idle())) {
      pop3::Action refused = proto_.refuse("Server shutting down");
      co_await act(refused);
      break;
    }
    conn_.expires_after(proto_.read_timeout());
    const std::span<char> space = reader_.read_space();
    if (space.empty()) break;  // cannot happen after pump() (text.md: room() is never 0 then)
    auto [ec, n] =
        co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
    if (between_commands) conn_.end_idle();
    if (n > 0) {
      reader_.commit(n);
      alive = co_await pump();
      continue;
    }
    if (conn_.timed_out()) {
      conn_.clear_timed_out();
      note("autologout: nothing deleted");
      pop3::Action closing = proto_.on_timeout();
      alive = co_await act(closing);
      continue;
    }
    if (ec == asio::error::operation_aborted && conn_.draining()) {
      pop3::Action refused = proto_.refuse("Server shutting down");
      co_await act(refused);
      break;
    }
    break;  // EOF or a network error: RFC 1939 §6, no UPDATE, nothing deleted
  }
  trace_answer_end();
  close_message();
  co_await unlock();
  conn_.stream().shutdown();
  note("connection closed");
}

}  // namespace

Pop3Counters::Pop3Counters(core::MetricsRegistry& metrics)
    : sessions(&metrics.counter("endhost_pop3_sessions_total", "POP3 connections served")),
      commands(&metrics.counter("endhost_pop3_commands_total", "POP3 commands received")),
      logins(&metrics.counter("endhost_pop3_logins_total", "POP3 logins (mailbox locked and listed)")),
      login_failures(&metrics.counter("endhost_pop3_login_failures_total", "POP3 logins refused")),
      in_use(&metrics.counter("endhost_pop3_in_use_total", "POP3 logins to a mailbox another session holds")),
      retrieved(&metrics.counter("endhost_pop3_retrieved_total", "Messages sent whole by RETR")),
      retrieved_bytes(
          &metrics.counter("endhost_pop3_retrieved_bytes_total", "Bytes of messages sent by RETR")),
      deleted(&metrics.counter("endhost_pop3_deleted_total", "Messages deleted at POP3 QUIT")),
      starttls(&metrics.counter("endhost_pop3_starttls_total", "POP3 sessions upgraded by STLS")) {}

std::string pop3_unique_id(std::string_view base) {
  const bool valid = !base.empty() && base.size() <= 70 && std::all_of(base.begin(), base.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x21 && static_cast<unsigned char>(c) <= 0x7e;
  });
  if (valid) return std::string(base);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(base.data(), base.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

awaitable<void> serve_pop3(core::Connection& conn, MailServer& server, const Pop3Counters& counters) {
  Session session(conn, server, counters);
  co_await session.run();
}

awaitable<void> refuse_pop3(core::Connection& conn) {
  static constexpr std::string_view kBusy = "-ERR [SYS/TEMP] Too many connections, try again later\r\n";
  conn.expires_after(std::chrono::seconds(5));
  co_await asio::async_write(conn.stream(), asio::buffer(kBusy.data(), kBusy.size()), use_nothrow);
  conn.stream().shutdown();
}

}  // namespace endhost::mail::server
