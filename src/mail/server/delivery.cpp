#include "mail/server/delivery.hpp"

#include <algorithm>
#include <vector>

#include "mail/checks/signer.hpp"

namespace endhost::mail::server {

std::string sign_outbound(const MailServer& server, std::string_view message, core::WallTime now) {
  const checks::Signer* signer = server.signer();
  const auto domain = checks::from_domain(message);
  if (!signer || !domain || !signer->has_key(*domain)) return {};
  std::string header = signer->signature_header(message, *domain, now);
  if (header.empty()) return {};
  header.append(message);
  return header;
}

awaitable<smtp::DeliveryOutcome> deliver_message(MailServer& srv, smtp::Envelope& env,
                                                 const DeliveryContext& ctx, std::string_view message,
                                                 core::WallTime now) {
  // Named copies for the lambdas: they must not capture the coroutine's parameters (GCC 12, core.md rule 4).
  MailServer* server = &srv;
  const std::string peer(ctx.peer);
  const std::size_t shard = ctx.loop_index;
  const auto note = [server, &peer](std::string_view text) { server->transcript().note(peer, text); };
  const auto count = [shard](core::Counter* c, std::uint64_t n = 1) {
    if (c) c->inc(n, shard);
  };
  std::string trace = smtp::ServerSession::trace_headers(env, srv.config().hostname, ctx.peer_ip, now);

  std::vector<std::string> local;
  std::vector<std::string> remote;
  for (const auto& r : env.recipients) {
    if (r.kind == smtp::RecipientKind::LocalUser) {
      local.push_back(r.local_user);
    } else if (r.kind == smtp::RecipientKind::Remote) {
      remote.push_back(r.address);
    }
  }
  // Remote recipients first, into the queue (one .msg and one .env, fsynced): if that fails nothing has
  // been delivered and the client keeps the message (451). Return-Path is the final delivery's to add
  // (RFC 5321 §4.4), so the queued copy has only our Received:.
  // The queue keeps the transaction's id, so Received: (`id …`), `mail queue` and the 250 name it alike.
  std::string queue_id;
  if (!remote.empty()) {
    queue::QueueStore* store = srv.queue();
    if (!store) {
      note("no queue for remote recipients: 451");
      count(srv.counters().deferred);
      co_return smtp::DeliveryOutcome::TemporaryFailure;
    }
    queue::QueuedEnvelope qe{env.reverse_path, remote, env.smtputf8, env.eight_bit};
    std::string why;
    for (int attempt = 0; attempt < 8 && queue_id.empty() && why.empty(); ++attempt) {
      if (attempt > 0) {  // the id is taken (another server on this queue made it too): a fresh one
        env.transaction_id = srv.next_transaction_id();
        trace = smtp::ServerSession::trace_headers(env, srv.config().hostname, ctx.peer_ip, now);
      }
      const std::size_t first_line = trace.find("\r\n");
      const std::string_view received = first_line == std::string::npos
                                            ? std::string_view(trace)
                                            : std::string_view(trace).substr(first_line + 2);
      std::string queued;
      queued.reserve(received.size() + message.size());
      queued.append(received);
      queued.append(message);
      const std::string& id = env.transaction_id;
      auto job = [store, &id, &qe, &queued]() { return store->enqueue_as(id, qe, queued); };
      const auto enqueued = co_await srv.pool().run(job);
      if (!enqueued || !*enqueued) {
        why = !enqueued ? enqueued.error() : enqueued->error();
      } else if (**enqueued) {
        queue_id = id;
      }
    }
    if (queue_id.empty() && why.empty()) why = "no free queue id";
    if (queue_id.empty()) {
      srv.log().error("queue write failed",
                      {{"service", "mail"}, {"id", env.transaction_id}, {"error", why}});
      note("queue write failed: " + why);
      count(srv.counters().deferred);
      co_return smtp::DeliveryOutcome::TemporaryFailure;
    }
    count(srv.counters().queued);
    if (srv.relay()) srv.relay()->kick();
    if (srv.transcript().enabled())
      note("queued " + queue_id + " for " + std::to_string(remote.size()) + " remote recipient(s)");
  }
  LocalDeliveryResult result;
  if (!local.empty()) {
    const std::vector<std::string_view> parts = {trace, message};
    auto job = [server, &local, &parts]() { return server->deliver_local(local, parts); };
    const auto done = co_await srv.pool().run(job);
    if (!done) {
      result.failed = local;
      result.error = done.error();
    } else {
      result = *done;
    }
  }
  if (result.delivered > 0) count(srv.counters().delivered, result.delivered);
  if (!result.failed.empty()) {
    srv.log().error("local delivery failed",
                    {{"service", "mail"}, {"id", env.transaction_id}, {"error", result.error}});
    if (srv.transcript().enabled()) note("delivery failed: " + result.error);
    if (result.delivered == 0 && queue_id.empty()) {
      // Nothing was written anywhere: the client keeps the message and tries again.
      count(srv.counters().deferred);
      co_return result.no_space ? smtp::DeliveryOutcome::NoSpace : smtp::DeliveryOutcome::TemporaryFailure;
    }
    // Some copies are written already, so a 4xx would make the client send those again: the failed local
    // recipients go into the queue, whose relay delivers them locally on its next try (LocalDelivery).
    queue::QueueStore* store = srv.queue();
    std::vector<std::string> retry;
    for (const auto& r : env.recipients) {
      if (r.kind != smtp::RecipientKind::LocalUser) continue;
      if (std::find(result.failed.begin(), result.failed.end(), r.local_user) != result.failed.end())
        retry.push_back(r.address);
    }
    bool kept = retry.empty();
    if (store && !retry.empty()) {
      queue::QueuedEnvelope qe{env.reverse_path, retry, env.smtputf8, env.eight_bit};
      std::string queued;
      queued.append(trace);
      queued.append(message);
      auto job = [store, &qe, &queued]() { return store->enqueue(qe, queued); };
      const auto enqueued = co_await srv.pool().run(job);
      kept = enqueued && *enqueued;
      if (kept && srv.relay()) srv.relay()->kick();
    }
    if (!kept) {
      // Neither their mailbox nor the queue could be written: a 250 would lose them. The 451 makes the client
      // send the message again, so the copies written already come twice: a duplicate, never a loss.
      srv.log().error("local delivery and the queue both failed: 451, some copies will come twice",
                      {{"service", "mail"}, {"id", env.transaction_id}});
      count(srv.counters().deferred);
      co_return smtp::DeliveryOutcome::TemporaryFailure;
    }
  }
  count(srv.counters().messages);
  count(srv.counters().received_bytes, message.size());
  if (srv.transcript().enabled() && !local.empty())
    note("delivered " + env.transaction_id + " to " + std::to_string(result.delivered) + " mailbox(es)");
  co_return smtp::DeliveryOutcome::Accepted;
}

}  // namespace endhost::mail::server
