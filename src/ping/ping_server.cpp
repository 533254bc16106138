#include "ping/ping_server.hpp"

#include <random>

#include "core/connection.hpp"
#include "ping/ping_message.hpp"

namespace endhost::ping {

namespace {

std::uint64_t choose_seed(const std::optional<std::uint64_t>& seed) {
  if (seed) return *seed;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

PingServer::PingServer(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
                       PingServerConfig config)
    : loops_(loops),
      log_(log),
      config_(std::move(config)),
      udp_(loops, log,
           core::UdpServerOptions{"ping", kMaxMessage,
                                  [this](core::UdpSocket& s, std::span<const std::uint8_t> d,
                                         const asio::ip::udp::endpoint& from) { on_datagram(s, d, from); }}),
      responder_(LossModel(config_.loss, 0), config_.heartbeat_timeout),
      requests_(metrics.counter("endhost_ping_requests_total", "Ping and heartbeat datagrams received")),
      dropped_(metrics.counter("endhost_ping_dropped_total", "Pings dropped by the simulated loss")) {
  std::uint64_t seed = choose_seed(config_.seed);
  responder_ = PingResponder(LossModel(config_.loss, seed), config_.heartbeat_timeout);
  drain_with(udp_);
  log_.info("ping server loss model",
            {{"loss", config_.loss.loss},
             {"delay_ms", static_cast<double>(config_.loss.delay.count()) / 1000.0},
             {"jitter_ms", static_cast<double>(config_.loss.jitter.count()) / 1000.0},
             {"seed", std::to_string(seed)}});
}

Expected<void, std::string> PingServer::bind(core::Binder& binder) {
  return binder.udp(udp_, config_.listen);
}

void PingServer::start() {
  udp_.start();
  asio::co_spawn(loops_[0].io(), tick(), asio::detached);
}

void PingServer::drain() {
  stopping_ = true;
  core::Service::drain();
}

void PingServer::on_datagram(core::UdpSocket& socket, std::span<const std::uint8_t> data,
                             const asio::ip::udp::endpoint& from) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  std::string peer = core::endpoint_text(from);
  requests_.inc(1, socket.loop().index());
  config_.transcript.client(peer, text);
  PingResponder::Outcome outcome;
  {
    std::lock_guard lock(mutex_);
    outcome = responder_.on_datagram(peer, text, clock_.now());
  }
  if (outcome.kind == PingResponder::Outcome::Kind::Heartbeat) {
    report(outcome.events);
    return;
  }
  if (outcome.kind == PingResponder::Outcome::Kind::Dropped) {
    dropped_.inc(1, socket.loop().index());
    config_.transcript.note(peer, "dropped (simulated loss)");
    return;
  }
  auto reply = std::make_shared<std::string>(std::move(outcome.reply));
  if (outcome.delay.count() == 0) {
    config_.transcript.server(peer, *reply);
    socket.send_to(std::span(reinterpret_cast<const std::uint8_t*>(reply->data()), reply->size()), from);
    return;
  }
  pending_.fetch_add(1, std::memory_order_relaxed);
  auto timer = std::make_shared<asio::steady_timer>(socket.loop().io(), outcome.delay);
  timer->async_wait([this, timer, reply, from, peer, &socket](const boost::system::error_code&) {
    config_.transcript.server(peer, *reply);
    socket.send_to(std::span(reinterpret_cast<const std::uint8_t*>(reply->data()), reply->size()), from);
    pending_.fetch_sub(1, std::memory_order_relaxed);
  });
}

void PingServer::report(const std::vector<HeartbeatEvent>& events) {
  auto& log = log_;
  for (const auto& e : events) {
    switch (e.kind) {
      case HeartbeatEvent::Kind::NewClient:
        log.info("heartbeat: new client", {{"client", e.client}, {"seq", e.seq}});
        break;
      case HeartbeatEvent::Kind::Lost:
        log.info("heartbeat: lost", {{"client", e.client},
                                     {"first_lost", e.first_lost},
                                     {"last_lost", e.last_lost},
                                     {"count", e.last_lost - e.first_lost + 1}});
        config_.transcript.note(e.client, *heartbeat_note(e));
        break;
      case HeartbeatEvent::Kind::Late:
        log.info("heartbeat: late or duplicate", {{"client", e.client}, {"seq", e.seq}});
        break;
      case HeartbeatEvent::Kind::Gone:
        log.warn("heartbeat: client gone",
                 {{"client", e.client}, {"last_seq", e.seq}, {"silent_ms", e.silent_for.count()}});
        config_.transcript.note(e.client, *heartbeat_note(e));
        break;
    }
  }
}

awaitable<void> PingServer::tick() {
  asio::steady_timer timer(loops_[0].io());
  const auto period = responder_.tick_period();
  while (!stopping_) {
    timer.expires_after(period);
    co_await timer.async_wait(use_nothrow);
    std::vector<HeartbeatEvent> events;
    {
      std::lock_guard lock(mutex_);
      events = responder_.on_tick(clock_.now());
    }
    report(events);
  }
}

}  // namespace endhost::ping
