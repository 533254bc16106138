// New mail without a reload (issue 12 §3): GET /api/events is a Server-Sent Events stream (WHATWG HTML
// §9.2) fed by the INBOX's change listener (store::Mailbox::subscribe, the hook IMAP IDLE wakes on). Each
// change sends `event: mail` with the INBOX's counts; nothing for `heartbeat` sends a comment line, so that
// proxies and the browser keep the stream open and a client that left is noticed. At most
// SessionLimits::max_streams per session; the stream ends when the session does (logout, timeouts) or the
// server drains.
#include <atomic>

#include "mail/webmail/json_text.hpp"
#include "mail/webmail/replies.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::webmail {

namespace {

// What the listener (on whichever thread changed the mailbox) shares with the stream (on its loop).
struct StreamWake {
  explicit StreamWake(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  bool changed = false;  // touched on the loop only
};

struct StreamSlot {  // gives the session's stream slot back however the stream ends
  SessionTable& table;
  std::string id;
  ~StreamSlot() { table.release_stream(id); }
};

struct Counts {
  std::uint64_t total = 0, unread = 0, uidnext = 0;
  std::string error;
};

std::chrono::milliseconds steady_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

// Each send() is one chunk under the send deadline (http::BodyStream); the driver ends the body.
awaitable<void> run_stream(http::BodyStream& body, Backend& backend, SessionTable& sessions,
                           std::shared_ptr<StreamSlot> slot, std::string user, std::chrono::seconds heartbeat,
                           std::chrono::milliseconds send_timeout) {
  core::Connection& conn = body.connection();
  const std::string session_id = slot->id;
  auto wake = std::make_shared<StreamWake>(conn.loop().io().get_executor());
  std::shared_ptr<store::Mailbox> inbox;
  store::Store* st = &backend.store();
  const std::string* name = &user;
  auto open = [st, name]() -> std::shared_ptr<store::Mailbox> {
    auto us = st->user(*name);
    if (!us) return nullptr;
    auto mb = (*us)->open("INBOX");
    return mb ? *mb : nullptr;
  };
  auto opened = co_await backend.pool().run(open);
  if (opened) inbox = *opened;
  if (!inbox) co_return;
  std::weak_ptr<StreamWake> weak = wake;
  asio::any_io_executor ex = conn.loop().io().get_executor();
  // The listener may run on any thread, with the store's locks held: it only posts to the stream's loop.
  const std::uint64_t listener = inbox->subscribe([weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto w = weak.lock()) {
        w->changed = true;
        w->timer.cancel();
      }
    });
  });
  store::Mailbox* mb = inbox.get();
  auto counts = [mb]() -> Counts {
    Counts c;
    auto fresh = mb->refresh();
    if (!fresh) c.error = fresh.error().message;
    const auto snap = mb->snapshot();
    c.total = snap.messages.size();
    c.uidnext = snap.uidnext;
    for (const auto& m : snap.messages) c.unread += (m.flags.system & store::kSeen) ? 0 : 1;
    return c;
  };
  bool ok = co_await body.send("retry: 3000\n: connected\n\n");
  // Each wait is a second at most, so a drain or an expired session ends the stream soon.
  constexpr auto kTick = std::chrono::seconds(1);
  auto quiet = std::chrono::seconds(0);
  while (ok && !conn.draining()) {
    if (!sessions.alive(session_id, steady_now())) break;
    if (!wake->changed) {
      wake->timer.expires_after(kTick);
      conn.expires_after(send_timeout + kTick);
      co_await wake->timer.async_wait(use_nothrow);
    }
    if (wake->changed) {
      wake->changed = false;
      quiet = std::chrono::seconds(0);
      const auto got = co_await backend.pool().run(counts);
      if (!got) continue;
      JsonWriter j;
      j.begin_object().key("folder").value("INBOX").key("total").value(got->total);
      j.key("unread").value(got->unread).key("uidnext").value(got->uidnext).end_object();
      const std::string event = "event: mail\ndata: " + j.take() + "\n\n";
      ok = co_await body.send(event);
      continue;
    }
    quiet += kTick;
    if (quiet >= heartbeat) {
      quiet = std::chrono::seconds(0);
      ok = co_await body.send(": heartbeat\n\n");
    }
  }
  inbox->unsubscribe(listener);
}

}  // namespace

Response Webmail::events(const SessionInfo& session) {
  if (!sessions_.acquire_stream(session.id))
    return json_error(http::Status::too_many_requests, "too many event streams open for this session");
  Response r;
  r.content_type = "text/event-stream";
  Backend* backend = &backend_;
  SessionTable* table = &sessions_;
  // The slot goes back when the last copy of this function and the stream's frame are gone, whether the
  // stream ran or its head could not be written.
  auto slot = std::shared_ptr<StreamSlot>(new StreamSlot{sessions_, session.id});
  const std::string user = session.user;
  const auto heartbeat = config_.heartbeat;
  const auto send_timeout = config_.send_timeout;
  r.stream = [backend, table, slot, user, heartbeat,
              send_timeout](http::BodyStream& body) -> awaitable<void> {
    return run_stream(body, *backend, *table, slot, user, heartbeat, send_timeout);
  };
  r.fields.add("X-Accel-Buffering", "no");
  return r;
}

}  // namespace endhost::mail::webmail
