// One SMTP connection: the loop of smtp/server_session.hpp over a core::Connection. The I/O owns the socket
// and the text::CommandReader; the ServerSession owns the protocol. Each reader event goes to the session,
// each Action it returns is carried out before the next event is taken (the session keeps, bounded, any line
// handed in meanwhile; none is here), and the completions (login_result, tls_ready, delivered) are followed
// by poll() until it has nothing more. Replies are sent when the session says a pipelined group ended
// (RFC 2920 §3.1) and before every read, so a pipelining client gets its group's replies in one write.
//
// The blocking work is on the server's pool: password checks (argon2, bcrypt) and the Maildir fsyncs. The
// 250 after the end of data is written only when every copy is durable (issue §1, RFC 5321 §6.1).
#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/user_db.hpp"
#include "auth/verify_login.hpp"
#include "core/address_acl_asio.hpp"
#include "core/clock.hpp"
#include "core/starttls.hpp"
#include "mail/checks/authentication_results.hpp"
#include "mail/checks/signer.hpp"
#include "mail/server/delivery.hpp"
#include "mail/server/mail_server.hpp"
#include "smtp/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::mail::server {

namespace {

// Lines of one message shown by --trace; the rest is a note with its size (a 10 MB attachment in the
// terminal helps nobody).
constexpr std::size_t kTraceBodyLines = 200;

asio::ip::address unmapped_address(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

std::string_view trim_crlf(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

smtp::ServerConfig session_config(core::Connection& conn, MailServer& server, bool submission,
                                  const UsersSnapshot& users) {
  const MailConfig& c = server.config();
  const asio::ip::address peer = unmapped_address(conn.remote().address());
  smtp::ServerConfig s;
  s.hostname = c.hostname;
  s.submission = submission;
  s.tls_available = server.tls() != nullptr;
  s.tls_required = c.require_tls;
  s.auth_available = users.users() != nullptr;
  s.peer_is_trusted = c.trusts(peer);
  s.relay_permitted = core::allows(c.relay_from, peer);
  s.peer_address = peer.to_string();
  s.limits.max_message_size = c.max_message_size;
  s.limits.max_recipients = c.max_recipients;
  s.limits.max_errors = c.max_errors;
  s.limits.max_commands_before_mail = c.max_commands_before_mail;
  s.timeouts.command = std::chrono::duration_cast<std::chrono::seconds>(c.command_timeout);
  s.timeouts.data_block = std::chrono::duration_cast<std::chrono::seconds>(c.data_timeout);
  if (s.timeouts.command.count() < 1) s.timeouts.command = std::chrono::seconds(1);
  if (s.timeouts.data_block.count() < 1) s.timeouts.data_block = std::chrono::seconds(1);
  return s;
}

class Session {
 public:
  Session(core::Connection& conn, MailServer& server, bool submission)
      : conn_(conn),
        srv_(server),
        users_(server.users()),
        peer_ip_(unmapped_address(conn.remote().address()).to_string()),
        proto_(session_config(conn, server, submission, *users_), *users_),
        reader_(smtp::ServerSession::reader_config(proto_.config().limits)) {}

  awaitable<void> run();

 private:
  awaitable<bool> flush();
  // Carries out `first` and everything that follows from it (completions, then poll()); false ends the
  // session.
  awaitable<bool> act(smtp::Action& first);
  awaitable<smtp::Action> login(smtp::action::VerifyLogin& v);
  awaitable<smtp::Action> deliver(smtp::action::Deliver& d);
  awaitable<std::optional<smtp::Action>> starttls();
  // Takes reader events while the session can take them; false ends the session.
  awaitable<bool> pump();

  void note(std::string_view text) const { srv_.transcript().note(conn_.peer(), text); }
  void count(core::Counter* c, std::uint64_t n = 1) const {
    if (c) c->inc(n, conn_.loop().index());
  }
  void trace_body(std::string_view chunk);
  void trace_body_end();

  core::Connection& conn_;
  MailServer& srv_;
  std::shared_ptr<const UsersSnapshot> users_;  // the snapshot this session began with (SIGHUP swaps)
  std::string peer_ip_;
  smtp::ServerSession proto_;
  text::CommandReader reader_;
  std::size_t traced_ = 0;  // bytes at the front of the writer's pending() already in the transcript
  bool tls_ = false;
  bool in_body_ = false;  // a DATA body is being read (begin_data until DataEnd)
  std::uint64_t violations_seen_ = 0;
  std::uint64_t refused_rcpt_seen_ = 0;

  // --trace of a body: the unfinished last line, and how many lines and bytes were shown or skipped.
  std::string trace_partial_;
  std::size_t trace_lines_ = 0;
  std::uint64_t trace_skipped_ = 0;
};

void Session::trace_body(std::string_view chunk) {
  if (!srv_.transcript().enabled()) return;
  while (!chunk.empty()) {
    const std::size_t lf = chunk.find('\n');
    if (lf == std::string_view::npos) {
      if (trace_lines_ < kTraceBodyLines && trace_partial_.size() < 4096) {
        trace_partial_.append(chunk.substr(0, 4096 - trace_partial_.size()));
      } else {
        trace_skipped_ += chunk.size();
      }
      return;
    }
    if (trace_lines_ < kTraceBodyLines) {
      trace_partial_.append(chunk.substr(0, lf));
      if (!trace_partial_.empty() && trace_partial_.back() == '\r') trace_partial_.pop_back();
      // As on the wire (RFC 5321 §4.5.2): a line that starts with '.' was sent with one more.
      if (!trace_partial_.empty() && trace_partial_.front() == '.') trace_partial_.insert(0, 1, '.');
      srv_.transcript().client(conn_.peer(), trace_partial_.empty() ? std::string_view(" ") : trace_partial_);
      ++trace_lines_;
    } else {
      trace_skipped_ += lf + 1;
    }
    trace_partial_.clear();
    chunk.remove_prefix(lf + 1);
  }
}

void Session::trace_body_end() {
  if (!srv_.transcript().enabled()) return;
  if (trace_skipped_ > 0)
    note("(" + std::to_string(trace_skipped_) + " more bytes of the message not shown)");
  trace_partial_.clear();
  trace_lines_ = 0;
  trace_skipped_ = 0;
}

awaitable<bool> Session::flush() {
  while (!proto_.writer().empty()) {
    const std::string_view out = proto_.writer().pending();
    if (out.size() > traced_ && srv_.transcript().enabled())
      srv_.transcript().server(conn_.peer(), out.substr(traced_));
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

awaitable<smtp::Action> Session::login(smtp::action::VerifyLogin& v) {
  const std::optional<auth::User> user =
      co_await auth::verify_login(srv_.pool(), users_->users(), v.user, v.password);
  const bool ok = user.has_value();
  count(ok ? srv_.counters().logins : srv_.counters().login_failures);
  if (!ok && srv_.transcript().enabled()) note("AUTH failed for " + v.user);
  co_return proto_.login_result(ok);
}

awaitable<smtp::Action> Session::deliver(smtp::action::Deliver& d) {
  smtp::Envelope& env = d.envelope;
  env.transaction_id = srv_.next_transaction_id();
  const core::WallTime now = core::SystemClock().wall_now();
  // Mail our users send out (AUTH, or a --relay-from peer) is signed with its From domain's key
  // (RFC 6376 §5); mail from anyone else is checked (SPF, DKIM) and the results go in front of it
  // (RFC 8601), after the forged Authentication-Results fields in our name are dropped (§5).
  std::string checked;
  const bool ours = !env.authenticated_user.empty() || proto_.config().relay_permitted;
  if (ours) {
    checked = sign_outbound(srv_, proto_.message(), now);
  } else if (const dns::MailDns* dns = srv_.dns()) {
    const std::string& host = srv_.config().hostname;
    std::string cleaned = checks::remove_forged_results(proto_.message(), host);
    const asio::ip::address client = unmapped_address(conn_.remote().address());
    std::string authserv = host, mail_from = env.reverse_path, helo = env.helo;
    const std::string_view body = cleaned;
    const checks::CheckResults results = co_await checks::run_checks(
        *dns, std::move(authserv), body, client, std::move(mail_from), std::move(helo), now);
    if (srv_.transcript().enabled()) note(std::string(trim_crlf(results.header)));
    const bool spf_refused = srv_.config().spf_reject && results.spf_failed();
    const bool dkim_refused = srv_.config().dkim_reject && results.dkim_failed();
    if (spf_refused || dkim_refused) {
      count(srv_.counters().rejected);
      co_return proto_.delivered(
          spf_refused ? smtp::DeliveryOutcome::SpfFailed : smtp::DeliveryOutcome::DkimFailed, {});
    }
    checked = results.header + cleaned;
  }
  const std::string& message = checked.empty() ? proto_.message() : checked;
  // The rest is the delivery every accepted message takes, the webmail's compose too (delivery.cpp).
  const DeliveryContext ctx{conn_.peer(), peer_ip_, conn_.loop().index()};
  const std::string_view text = message;
  const smtp::DeliveryOutcome outcome = co_await deliver_message(srv_, env, ctx, text, now);
  if (outcome != smtp::DeliveryOutcome::Accepted) co_return proto_.delivered(outcome, {});
  co_return proto_.delivered(smtp::DeliveryOutcome::Accepted, env.transaction_id);
}

awaitable<std::optional<smtp::Action>> Session::starttls() {
  // The 220 goes out in the clear first.
  const bool sent = co_await flush();
  if (!sent || !srv_.tls()) co_return std::nullopt;
  conn_.expires_after(std::chrono::seconds(30));
  // Whatever followed STARTTLS in the clear is dropped (RFC 3207 §4.2, CVE-2011-0411): it must never run
  // as if it had come over TLS.
  auto up = co_await core::starttls_server(conn_.stream(), *srv_.tls(), reader_);
  if (!up) {
    note(up.error());
    co_return proto_.tls_ready(false);
  }
  if (up->discarded > 0)
    note("dropped " + std::to_string(up->discarded) + " bytes sent before the handshake");
  tls_ = true;
  count(srv_.counters().starttls);
  co_return proto_.tls_ready(true);
}

awaitable<bool> Session::act(smtp::Action& first) {
  std::deque<smtp::Action> pending;
  pending.push_back(std::move(first));
  bool completed = false;  // a completion ran: poll() until None
  for (;;) {
    if (pending.empty()) {
      if (!completed) co_return true;
      smtp::Action kept = proto_.poll();
      if (std::holds_alternative<smtp::action::None>(kept)) co_return true;
      pending.push_back(std::move(kept));
    }
    smtp::Action a = std::move(pending.front());
    pending.pop_front();
    if (std::holds_alternative<smtp::action::None>(a)) continue;
    if (std::holds_alternative<smtp::action::Close>(a)) {
      co_await flush();
      co_return false;
    }
    if (auto* r = std::get_if<smtp::action::ReceiveData>(&a)) {
      in_body_ = true;
      reader_.begin_data(r->max_size);
      continue;
    }
    if (auto* c = std::get_if<smtp::action::ReceiveChunk>(&a)) {
      reader_.read_counted(c->size);
      continue;
    }
    completed = true;
    if (auto* v = std::get_if<smtp::action::VerifyLogin>(&a)) {
      smtp::Action next = co_await login(*v);
      pending.push_back(std::move(next));
      continue;
    }
    if (auto* d = std::get_if<smtp::action::Deliver>(&a)) {
      // The replies before the end of data (BDAT's 250s) are already out; the final one waits for the disk.
      smtp::Action next = co_await deliver(*d);
      pending.push_back(std::move(next));
      continue;
    }
    if (std::holds_alternative<smtp::action::StartTls>(a)) {
      auto next = co_await starttls();
      if (!next) co_return false;
      pending.push_back(std::move(*next));
      continue;
    }
  }
}

awaitable<bool> Session::pump() {
  for (;;) {
    if (proto_.closing()) co_return false;
    const text::ReadEvent e = reader_.next();
    smtp::Action a;
    switch (e.kind) {
      case text::ReadEvent::Kind::NeedMore:
      case text::ReadEvent::Kind::AwaitingDecision:
        co_return true;
      case text::ReadEvent::Kind::Line: {
        count(srv_.counters().commands);
        const bool follows = reader_.has_buffered_input();
        if (srv_.transcript().enabled())
          srv_.transcript().client(conn_.peer(),
                                   smtp::ServerSession::traceable(e.text, proto_.sasl_pending()));
        a = proto_.on_line(e.text, follows);
        break;
      }
      case text::ReadEvent::Kind::Error:
        // Inside DATA the reader reports a bare CR/LF or the size limit once, then reads on to CRLF.CRLF and
        // DataEnd carries the error: the session answers then (550/552), never in the middle of the body.
        if (in_body_) continue;
        if (srv_.transcript().enabled()) note("refused line: " + std::string(text::describe(e.error)));
        a = proto_.on_read_error(e.error);
        break;
      case text::ReadEvent::Kind::DataChunk:
        trace_body(e.text);
        a = proto_.body_chunk(e.text);
        break;
      case text::ReadEvent::Kind::DataEnd:
        in_body_ = false;
        trace_body_end();
        if (srv_.transcript().enabled()) srv_.transcript().client(conn_.peer(), ".");
        if (e.has_error && srv_.transcript().enabled())
          note("message refused: " + std::string(text::describe(e.error)));
        a = proto_.data_end(e.has_error ? std::optional<text::ReadError>(e.error) : std::nullopt);
        break;
      case text::ReadEvent::Kind::LiteralChunk:
        a = proto_.body_chunk(e.text);
        break;
      case text::ReadEvent::Kind::LiteralEnd:
        if (srv_.transcript().enabled()) note("BDAT chunk read");
        a = proto_.chunk_end();
        break;
      case text::ReadEvent::Kind::LiteralAnnounced:
        reader_.refuse_literal();  // SMTP has no IMAP literals; the reader is configured without them
        continue;
    }
    const bool alive = co_await act(a);
    const std::uint64_t violations = proto_.stats().pipelining_violations;
    if (violations > violations_seen_) {
      count(srv_.counters().pipelining_violations, violations - violations_seen_);
      violations_seen_ = violations;
    }
    const std::uint64_t refused = proto_.stats().rejected_rcpt;
    if (refused > refused_rcpt_seen_) {
      count(srv_.counters().refused_recipients, refused - refused_rcpt_seen_);
      refused_rcpt_seen_ = refused;
    }
    if (!alive) co_return false;
    if (proto_.ends_group_pending()) {
      const bool sent = co_await flush();
      if (!sent) co_return false;
    }
  }
}

awaitable<void> Session::run() {
  count(srv_.counters().sessions);
  note("connection opened");
  bool alive = true;
  {
    // Postfix's smtpd_forbid_unauth_pipelining and postscreen's pregreet test: a client that talks before
    // the 220 is a spambot that does not wait for replies.
    boost::system::error_code ec;
    const std::size_t early = conn_.stream().lowest_layer().available(ec);
    if (!ec && early > 0) {
      note("client spoke before the greeting");
      count(srv_.counters().pipelining_violations);
      smtp::Action refused = proto_.pregreet_input();
      alive = co_await act(refused);
    } else if (conn_.draining()) {
      smtp::Action refused = proto_.refuse("Service shutting down");
      alive = co_await act(refused);
    } else {
      proto_.greeting();
    }
  }
  while (alive) {
    const bool sent = co_await flush();
    if (!sent || proto_.closing()) break;
    const smtp::State state = proto_.state();
    const bool between_commands =
        reader_.buffered() == 0 && (state == smtp::State::Start || state == smtp::State::Ready);
    if (between_commands && conn_.draining()) {
      // RFC 5321 §3.8: a server that must stop says 421 and closes; the client tries again later.
      (void)proto_.writer().coded(421, "4.3.2 " + srv_.config().hostname + " Service shutting down");
      co_await flush();
      break;
    }
    bool idle = false;
    if (between_commands) {
      if (!conn_.begin_idle()) {
        (void)proto_.writer().coded(421, "4.3.2 " + srv_.config().hostname + " Service shutting down");
        co_await flush();
        break;
      }
      idle = true;
    }
    conn_.expires_after(proto_.read_timeout());
    const std::span<char> space = reader_.read_space();
    if (space.empty()) break;  // cannot happen after pump() (text.md: room() is never 0 then)
    auto [ec, n] =
        co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
    if (idle) conn_.end_idle();
    if (n > 0) {
      reader_.commit(n);
      alive = co_await pump();
      continue;
    }
    if (conn_.timed_out()) {
      conn_.clear_timed_out();
      note("timeout");
      smtp::Action closing = proto_.on_timeout();
      alive = co_await act(closing);
      continue;
    }
    if (ec == asio::error::operation_aborted && conn_.draining()) {
      (void)proto_.writer().coded(421, "4.3.2 " + srv_.config().hostname + " Service shutting down");
      co_await flush();
      break;
    }
    break;  // EOF or a network error: whatever was not acknowledged was never delivered
  }
  conn_.stream().shutdown();
  note("connection closed");
}

}  // namespace

awaitable<void> serve_smtp(core::Connection& conn, MailServer& server, bool submission) {
  Session session(conn, server, submission);
  co_await session.run();
}

awaitable<void> refuse_smtp(core::Connection& conn, std::string hostname) {
  const std::string busy = "421 4.7.0 " + hostname + " Too many connections, try again later\r\n";
  conn.expires_after(std::chrono::seconds(5));
  co_await asio::async_write(conn.stream(), asio::buffer(busy.data(), busy.size()), use_nothrow);
  conn.stream().shutdown();
}

}  // namespace endhost::mail::server
