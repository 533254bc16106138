#include "mail/queue/relay.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include "core/blocking_pool.hpp"
#include "core/connection.hpp"
#include "core/dialer.hpp"
#include "mail/queue/dsn.hpp"
#include "mail/queue/schedule.hpp"
#include "smtp/client/deliver.hpp"

namespace endhost::mail::queue {

namespace {
constexpr std::size_t kRecentLimit = 50;
constexpr auto kTick = std::chrono::seconds(1);  // how often the flush stamp and due mails are looked at
}  // namespace

struct Relay::State : std::enable_shared_from_this<Relay::State> {
  State(core::EventLoops& l, QueueStore& s, RelayConfig c, std::shared_ptr<const dns::MailDns> d,
        core::Transcript t, std::shared_ptr<checks::Signer> sig)
      : io(l[0].io()),
        store(s),
        config(std::move(c)),
        dns(std::move(d)),
        trace(std::move(t)),
        signer(std::move(sig)),
        pool("mail-relay", 2),
        timer(io) {
    if (config.clock) {
      clock = config.clock;
    } else {
      own_clock = std::make_unique<core::SystemClock>();
      clock = own_clock.get();
    }
    policy.retry_min = config.retry_min;
    policy.retry_max = config.retry_max;
    policy.lifetime = config.lifetime;
  }

  asio::io_context& io;
  QueueStore& store;
  RelayConfig config;
  std::shared_ptr<const dns::MailDns> dns;
  core::Transcript trace;
  std::shared_ptr<checks::Signer> signer;  // DSNs are not signed yet (docs/internals/mail-queue.md)
  core::BlockingPool pool;
  asio::steady_timer timer;
  std::unique_ptr<core::SystemClock> own_clock;
  const core::Clock* clock = nullptr;
  RetryPolicy policy;

  // Loop-owned (loop 0).
  std::map<std::string, core::WallTime> due;  // id → the earliest next try of its pending recipients
  std::set<std::string> in_flight;
  std::atomic<std::size_t> active{0};  // in_flight.size(), readable from stop()
  std::atomic<bool> stopping{false}, running{false};
  bool rescan_wanted = true;
  std::int64_t flush_stamp = 0;
  core::Instant last_scan{};
  bool slot_freed = false;  // a delivery ended since run() last looked: start the next at once

  // A delivery is over: its slot is free for the next due mail now, not at the next tick (with 20 slots
  // and a 1 s tick, waiting for the tick capped the relay at 20 messages a second).
  void finished(const std::string& id) {
    in_flight.erase(id);
    active = in_flight.size();
    slot_freed = true;
    timer.cancel();
  }

  mutable std::mutex stats_mu;
  RelayStats stats;

  // Store errors: on stderr (the service's log) and in the transcript.
  void problem(const std::string& text) {
    std::fprintf(stderr, "mail relay: %s\n", text.c_str());
    if (trace.enabled()) trace.note("relay", text);
  }

  void note(RecentDelivery r) {
    std::lock_guard g(stats_mu);
    if (r.outcome == "delivered") ++stats.delivered;
    if (r.outcome == "deferred") ++stats.deferred;
    if (r.outcome == "bounced") ++stats.bounced;
    stats.recent.push_back(std::move(r));
    if (stats.recent.size() > kRecentLimit) stats.recent.erase(stats.recent.begin());
  }

  awaitable<void> run();
  awaitable<void> rescan();
  awaitable<void> deliver_one(std::string id);
  awaitable<std::vector<Attempt>> deliver_group(const QueueEntry& entry, const std::string& domain,
                                                const std::vector<std::string>& recipients,
                                                const std::string& message);
  awaitable<void> finish(const std::string& id);
};

awaitable<void> Relay::State::rescan() {
  auto job = [this] { return store.list(); };
  auto listed = co_await pool.run(job);
  last_scan = clock->now();
  rescan_wanted = false;
  if (!listed) co_return;
  std::map<std::string, core::WallTime> fresh;
  for (const auto& e : *listed) {
    // A finished mail (all recipients done, e.g. a crash before its removal) is due now: finish() removes it.
    fresh[e.id] = e.next_try().value_or(core::WallTime{});
  }
  due = std::move(fresh);
  std::lock_guard g(stats_mu);
  stats.queued = due.size();
}

awaitable<void> Relay::State::run() {
  auto self = shared_from_this();
  running = true;
  while (!stopping) {
    for (auto& id : store.take_new()) due.emplace(std::move(id), core::WallTime{});
    const std::int64_t stamp = store.flush_stamp();
    if (stamp != flush_stamp) {
      flush_stamp = stamp;
      rescan_wanted = true;
    }
    if (rescan_wanted || clock->now() - last_scan >= config.run_interval) co_await rescan();
    {
      std::lock_guard g(stats_mu);
      stats.queued = due.size();
    }
    const core::WallTime now = clock->wall_now();
    std::vector<std::pair<core::WallTime, std::string>> ready;
    for (const auto& [id, t] : due)
      if (t <= now && !in_flight.count(id)) ready.emplace_back(t, id);
    std::sort(ready.begin(), ready.end());
    for (auto& [t, id] : ready) {
      if (in_flight.size() >= std::max<std::size_t>(1, config.max_parallel) || stopping) break;
      in_flight.insert(id);
      active = in_flight.size();
      asio::co_spawn(io, deliver_one(id), asio::detached);
    }
    if (slot_freed && !stopping) {  // freed while this pass ran: its cancel found no wait to end
      slot_freed = false;
      continue;
    }
    timer.expires_after(kTick);
    co_await timer.async_wait(use_nothrow);
    slot_freed = false;
  }
  running = false;
}

awaitable<void> Relay::State::deliver_one(std::string id) {
  auto self = shared_from_this();
  auto get_job = [this, &id] { return store.get(id); };
  auto got = co_await pool.run(get_job);
  if (!got || !*got) {
    due.erase(id);  // removed meanwhile (`mail queue delete`)
    finished(id);
    co_return;
  }
  QueueEntry entry = std::move(**got);
  const core::WallTime start = clock->wall_now();
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < entry.recipients.size(); ++i)
    if (entry.recipients[i].state == RecipientState::Pending && entry.recipients[i].next_try <= start)
      pending.push_back(i);
  if (pending.empty()) {
    if (entry.finished()) {
      co_await finish(id);
    } else {
      due[id] = *entry.next_try();
    }
    finished(id);
    co_return;
  }
  auto msg_job = [this, &id] { return store.message(id); };
  auto msg = co_await pool.run(msg_job);
  if (!msg || !*msg) {
    problem("cannot read the message of " + id + ": " + (msg ? msg->error() : msg.error()));
    due[id] = start + policy.retry_min;
    finished(id);
    co_return;
  }
  const std::string message = std::move(**msg);

  std::map<std::size_t, Attempt> results;
  // Local recipients first (a bounce for a local sender): the mail service writes them to the mailbox.
  std::map<std::string, std::vector<std::size_t>> by_domain;
  for (std::size_t i : pending) {
    const std::string& address = entry.recipients[i].address;
    if (config.local_delivery) {
      const std::string delivery_id = id + "." + std::to_string(i);
      std::string error;
      const std::string& sender = entry.sender;
      auto local_job = [this, &sender, &address, &message, &delivery_id, &error] {
        return config.local_delivery(sender, address, message, delivery_id, error);
      };
      auto local = co_await pool.run(local_job);
      const LocalResult lr = local ? *local : LocalResult::Deferred;
      if (!local) error = local.error();
      if (lr == LocalResult::Delivered) {
        results[i] = Attempt{Verdict::Delivered, "2.0.0", "delivered to the mailbox", "local"};
        continue;
      }
      if (lr == LocalResult::Deferred) {
        results[i] =
            Attempt{Verdict::Deferred, "4.3.0", error.empty() ? "local delivery failed" : error, "local"};
        continue;
      }
      if (lr == LocalResult::Unknown) {
        results[i] = Attempt{Verdict::Failed, "5.1.1", error.empty() ? "no such local user" : error, "local"};
        continue;
      }
    }
    by_domain[config.relay_host ? std::string() : domain_of(address)].push_back(i);
  }
  for (const auto& [domain, indices] : by_domain) {
    std::vector<std::string> rcpts;
    for (std::size_t i : indices) rcpts.push_back(entry.recipients[i].address);
    if (!config.relay_host && domain.empty()) {
      for (std::size_t i : indices)
        results[i] = Attempt{Verdict::Failed, "5.1.3", "the address has no domain", ""};
      continue;
    }
    auto attempts = co_await deliver_group(entry, domain, rcpts, message);
    for (std::size_t k = 0; k < indices.size(); ++k) results[indices[k]] = attempts[k];
  }

  const core::WallTime now = clock->wall_now();
  // Every recipient has it now: the mail goes at once, with no envelope rewrite before (nothing about it is
  // left to keep) and no fsync after. A crash before the unlink reaches the disk delivers it again, never
  // loses it: the at-least-once of RFC 5321 §6.1, and Postfix's qmgr deletes the same way.
  bool all_delivered = true;
  for (std::size_t i = 0; i < entry.recipients.size(); ++i) {
    const auto it = results.find(i);
    const bool done = it != results.end() ? it->second.verdict == Verdict::Delivered
                                          : entry.recipients[i].state == RecipientState::Delivered;
    all_delivered = all_delivered && done;
  }
  if (all_delivered) {
    auto remove_job = [this, &id] { return store.remove(id, false); };
    auto removed = co_await pool.run(remove_job);
    if (!removed) {
      problem("cannot remove " + id + ": " + removed.error());  // a busy pool: it goes again, later
      due[id] = now + policy.retry_min;
    } else if (!*removed) {  // a real error, or `mail queue delete` took it meanwhile
      problem("cannot remove " + id + ": " + removed->error());
    }
    for (const auto& [i, a] : results) {
      RecentDelivery rd;
      rd.when = now;
      rd.id = id;
      rd.recipient = entry.recipients[i].address;
      rd.outcome = "delivered";
      rd.relay = a.remote;
      rd.detail = a.detail;
      if (trace.enabled())
        trace.note(a.remote.empty() ? "relay" : a.remote,
                   id + ": to=<" + rd.recipient + ">, relay=" + (a.remote.empty() ? "none" : a.remote) +
                       ", status=delivered (" + a.detail + ")");
      note(std::move(rd));
    }
    if (removed) due.erase(id);
    finished(id);
    co_return;
  }
  // Record the results durably (re-reading the envelope: `mail queue delete` may have removed it).
  auto update_job = [this, &id, &results, &now] {
    return store.update(id, [&](QueueEntry& e) {
      for (const auto& [i, a] : results)
        if (i < e.recipients.size()) apply(e.recipients[i], a, e.arrival, now, policy);
    });
  };
  auto updated = co_await pool.run(update_job);
  if (!updated || !*updated) {
    problem("cannot record the delivery of " + id + ": " + (!updated ? updated.error() : updated->error()));
    due[id] = now + policy.retry_min;
    finished(id);
    co_return;
  }
  if (!updated->value()) {
    due.erase(id);
    finished(id);
    co_return;
  }
  const QueueEntry after = std::move(*updated->value());
  for (const auto& [i, a] : results) {
    const RecipientStatus& r = after.recipients[i];
    RecentDelivery rd;
    rd.when = now;
    rd.id = id;
    rd.recipient = r.address;
    rd.outcome = r.state == RecipientState::Delivered ? "delivered"
                 : r.state == RecipientState::Failed  ? "bounced"
                                                      : "deferred";
    rd.relay = a.remote;
    rd.detail = r.last_error;
    if (trace.enabled())
      trace.note(a.remote.empty() ? "relay" : a.remote,
                 id + ": to=<" + r.address + ">, relay=" + (a.remote.empty() ? "none" : a.remote) +
                     ", status=" + rd.outcome + " (" + r.last_error + ")");
    note(std::move(rd));
  }
  if (after.finished()) {
    co_await finish(id);
  } else {
    due[id] = *after.next_try();
  }
  finished(id);
}

// Every recipient is done: the bounce for the failed ones is queued under the id "<id>B" (after a crash
// between that and the removal, doing it again finds the bounce queued and queues nothing new), then the
// mail is removed. A bounce (sender <>) is never bounced (RFC 5321 §4.5.5).
awaitable<void> Relay::State::finish(const std::string& id) {
  auto get_job = [this, &id] { return store.get(id); };
  auto got = co_await pool.run(get_job);
  if (!got || !*got) {
    due.erase(id);
    co_return;
  }
  const QueueEntry entry = std::move(**got);
  std::vector<DsnRecipient> failed;
  for (const auto& r : entry.recipients)
    if (r.state == RecipientState::Failed) failed.push_back({r.address, r.status, r.remote, r.last_error});
  if (!failed.empty() && !entry.bounced && !entry.sender.empty()) {
    auto msg_job = [this, &id] { return store.message(id); };
    auto msg = co_await pool.run(msg_job);
    const std::string original = msg && *msg ? std::move(**msg) : std::string();
    DsnInput in;
    in.reporting_host = config.hostname;
    in.queue_id = id;
    in.arrival = entry.arrival;
    in.now = clock->wall_now();
    in.sender = entry.sender;
    in.failed = failed;
    in.original = original;
    in.original_8bit = entry.eight_bit || entry.smtputf8;
    const std::string dsn = build_dsn(in);
    QueuedEnvelope env;
    env.sender = "";
    env.recipients = {entry.sender};
    env.eight_bit = in.original_8bit;
    env.smtputf8 = entry.smtputf8;
    const std::string bounce_id = id + "B";
    auto enqueue_job = [this, &bounce_id, &env, &dsn, &in] {
      return store.enqueue_with_id(bounce_id, env, dsn, in.now);
    };
    auto queued = co_await pool.run(enqueue_job);
    if (!queued || !*queued) {
      problem("cannot queue the bounce of " + id + ": " + (!queued ? queued.error() : queued->error()));
      due[id] = clock->wall_now() + policy.retry_min;
      co_return;
    }
    // false: the bounce is queued already (this is the second try, after a crash): it goes out as it is.
    due.emplace(bounce_id, core::WallTime{});
    if (trace.enabled()) trace.note("relay", id + ": sender non-delivery notification: " + bounce_id);
  }
  auto remove_job = [this, &id] { return store.remove(id); };
  auto removed = co_await pool.run(remove_job);
  if (removed && !*removed) problem("cannot remove " + id + ": " + removed->error());
  due.erase(id);
  if (trace.enabled()) trace.note("relay", id + ": removed");
}

awaitable<std::vector<Attempt>> Relay::State::deliver_group(const QueueEntry& entry,
                                                            const std::string& domain,
                                                            const std::vector<std::string>& recipients,
                                                            const std::string& message) {
  const auto all = [&](Attempt a) { return std::vector<Attempt>(recipients.size(), a); };
  std::vector<std::string> hosts;
  std::uint16_t port = config.port;
  bool implicit = false;
  if (config.relay_host) {
    hosts.push_back(config.relay_host->host);
    port = config.relay_host->port ? config.relay_host->port : config.port;
  } else {
    auto [status, mx] = co_await dns->mx(domain);
    NextHops nh = next_hops(domain, status, mx, config.hostname);
    if (nh.kind == NextHops::Kind::Fail) co_return all(Attempt{Verdict::Failed, nh.status, nh.detail, ""});
    if (nh.kind == NextHops::Kind::Defer) co_return all(Attempt{Verdict::Deferred, nh.status, nh.detail, ""});
    hosts = std::move(nh.hosts);
    implicit = nh.implicit;
  }
  Attempt last{Verdict::Deferred, "4.4.4", "no host of " + domain + " could be reached", ""};
  bool any_address = false;
  for (const std::string& host : hosts) {
    std::vector<asio::ip::address> addresses;
    boost::system::error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
      addresses.push_back(literal);
    } else {
      auto [status, found] = co_await dns->addresses(host);
      if (status == dns::LookupStatus::TempFail) {
        last = Attempt{Verdict::Deferred, "4.4.3", "temporary DNS failure looking up " + host, ""};
        continue;
      }
      if (found.empty()) {
        last = Attempt{Verdict::Deferred, "4.4.4", "the host " + host + " has no address", ""};
        continue;
      }
      addresses = std::move(found);
    }
    any_address = true;
    for (const auto& address : addresses) {
      const asio::ip::tcp::endpoint to(address, port);
      const std::string where = host + "[" + address.to_string() + "]:" + std::to_string(port);
      core::DialOptions dial;
      dial.timeout = config.connect_timeout;
      dial.local_address = config.source;
      dial.place = config.place;
      const core::Dialer dialer(dial);
      {
        std::lock_guard g(stats_mu);
        ++stats.attempts;
      }
      auto stream = co_await dialer.dial(to);
      if (!stream) {
        last =
            Attempt{Verdict::Deferred, "4.4.1", "connect to " + where + ": " + stream.error().message, where};
        continue;
      }
      smtp::client::ClientOptions options;
      options.helo_name = config.hostname;
      options.tls =
          config.require_tls ? smtp::client::TlsMode::Required : smtp::client::TlsMode::Opportunistic;
      options.connect_timeout = config.connect_timeout;
      options.trace = trace.enabled() ? &trace : nullptr;
      smtp::client::Transaction t;
      t.sender = entry.sender;
      t.recipients = recipients;
      t.message = message;
      t.smtputf8 = entry.smtputf8;
      t.eight_bit = entry.eight_bit;
      smtp::client::DeliveryResult result =
          co_await smtp::client::deliver(std::move(*stream), host, t, options);
      const std::string remote = result.peer.empty() ? where : result.peer;
      using Stage = smtp::client::DeliveryResult::Stage;
      // Before any RCPT was answered, a temporary failure (4xx, a dropped connection) is this host's: the
      // next address or MX may do better (RFC 5321 §5.1). A 5xx there fails every recipient.
      if (result.failed_at < Stage::Rcpt) {
        const std::string text = result.reply.code == 0
                                     ? result.reply.text
                                     : result.reply.text + " (in reply to " +
                                           std::string(smtp::client::stage_name(result.failed_at)) + ")";
        Attempt a = attempt_from_reply(result.reply.code, text, remote);
        if (a.verdict == Verdict::Failed) co_return all(a);
        last = a;
        continue;
      }
      std::vector<Attempt> out;
      for (std::size_t i = 0; i < recipients.size(); ++i) {
        const smtp::client::Reply* rcpt =
            i < result.recipients.size() ? &result.recipients[i].reply : nullptr;
        if (rcpt && rcpt->code / 100 != 2) {
          out.push_back(attempt_from_reply(rcpt->code, rcpt->text, remote));
        } else {
          out.push_back(attempt_from_reply(result.reply.code, result.reply.text, remote));
        }
        if (result.tls && out.back().verdict == Verdict::Delivered) out.back().detail += " (TLS)";
      }
      co_return out;
    }
  }
  // RFC 5321 §5.1: with no MX, a domain without an address cannot receive mail.
  if (implicit && !any_address && last.status == "4.4.4")
    co_return all(
        Attempt{Verdict::Failed, "5.1.2", "the domain " + domain + " has no MX and no address", ""});
  co_return all(last);
}

Relay::Relay(core::EventLoops& loops, QueueStore& store, RelayConfig config,
             std::shared_ptr<const dns::MailDns> dns, core::Transcript trace,
             std::shared_ptr<checks::Signer> signer)
    : state_(std::make_shared<State>(loops, store, std::move(config), std::move(dns), std::move(trace),
                                     std::move(signer))) {}

Relay::~Relay() = default;

void Relay::start() {
  auto s = state_;
  asio::post(s->io, [s] {
    if (s->running || s->stopping) return;
    asio::co_spawn(s->io, s->run(), asio::detached);
  });
}

void Relay::kick() {
  auto s = state_;
  asio::post(s->io, [s] { s->timer.cancel(); });
}

awaitable<void> Relay::stop() {
  auto s = state_;
  asio::post(s->io, [s] {
    s->stopping = true;
    s->timer.cancel();
  });
  // Deliveries in flight end by their own deadlines; their state is on disk whatever happens, so waiting
  // is bounded: after 10 s the rest is abandoned (delivered again after the restart, at least once).
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer wait(executor);
  for (int i = 0; i < 100; ++i) {
    if (!s->running && s->active == 0) break;
    wait.expires_after(std::chrono::milliseconds(100));
    co_await wait.async_wait(use_nothrow);
  }
}

RelayStats Relay::stats() const {
  std::lock_guard g(state_->stats_mu);
  return state_->stats;
}

}  // namespace endhost::mail::queue
