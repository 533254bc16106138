#include "dns/server/auth_server.hpp"

#include "core/connection.hpp"

namespace endhost::dns::server {

AuthServer::AuthServer(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
                       AuthServerConfig config)
    : loops_(loops),
      config_(std::move(config)),
      loop_zones_(loops),
      handler_(
          loops, loop_zones_,
          [&] {
            auto q = config_.query;
            q.allow_transfer = &config_.allow_transfer;
            return q;
          }(),
          metrics),
      tcp_sessions_(
          handler_,
          [&] {
            auto t = config_.tcp;
            t.allow_transfer = &config_.allow_transfer;
            return t;
          }(),
          log, metrics),
      udp_(
          loops, log,
          [&] {
            auto u = config_.udp;
            u.max_response = config_.query.max_udp_payload;
            return u;
          }(),
          [this](std::size_t loop, std::span<const std::uint8_t> d, const asio::ip::udp::endpoint& from,
                 std::span<std::uint8_t> out) { return on_datagram(loop, d, from, out); }),
      tcp_(loops, log,
           core::TcpServerOptions{"dns",
                                  config_.max_connections,
                                  [this](core::Connection& c) { return tcp_sessions_.serve(c); },
                                  {}}),
      control_(config_.zones, loop_zones_, loops[0].io(), log) {
  drain_with(udp_);
  drain_with(tcp_);
  if (config_.tls) tcp_.set_tls(config_.tls, {"dot"});  // RFC 7858 §3.1 over the same framing
  if (!config_.notify.targets.empty()) {
    notifier_ = std::make_unique<NotifySender>(loops[0].io(), config_.notify, log, metrics);
    control_.set_notifier(notifier_.get());
  }
  if (!config_.secondaries.empty()) {
    secondaries_ = std::make_unique<Secondaries>(
        loops[0].io(), config_.secondaries, config_.zones.state_dir, config_.zones.limits.max_records,
        config_.secondary_timers, control_, log, metrics, config_.source_address, config_.socket_place);
    handler_.set_notify_hook(
        [s = secondaries_.get()](const Name& origin, const asio::ip::address& from, const Name* key) {
          return s->on_notify(origin, from, key);
        });
  }
}

AuthServer::~AuthServer() = default;

Expected<void, std::string> AuthServer::load_zones() {
  return control_.load_initial();
}

Expected<std::uint16_t, std::string> AuthServer::listen(const asio::ip::address& address, std::uint16_t port,
                                                        const core::SocketPlace& place) {
  if (port != 0) {
    if (auto ok = udp_.listen({address, port}, place); !ok) return Unexpected(ok.error());
    if (auto ok = tcp_.listen({address, port}, place); !ok) return Unexpected(ok.error());
    return port;
  }
  // Port 0: find a port free for both protocols. The UDP probe socket is held while TCP binds, so only the
  // short window between closing it and binding the server's own UDP socket can race.
  std::string last_error;
  for (int attempt = 0; attempt < 20; ++attempt) {
    asio::ip::udp::socket probe(loops_[0].io());
    boost::system::error_code ec;
    core::open_socket(probe, address.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec, place);
    if (!ec) probe.bind({address, 0}, ec);
    if (ec) return Unexpected("cannot listen on " + address.to_string() + ": " + ec.message());
    std::uint16_t candidate = probe.local_endpoint().port();
    auto tcp_ok = tcp_.listen({address, candidate}, place);
    if (!tcp_ok) {
      last_error = tcp_ok.error();
      continue;
    }
    probe.close();
    if (auto ok = udp_.listen({address, candidate}, place); !ok) return Unexpected(ok.error());
    return candidate;
  }
  return Unexpected(last_error);
}

std::size_t AuthServer::on_datagram(std::size_t loop, std::span<const std::uint8_t> data,
                                    const asio::ip::udp::endpoint& from, std::span<std::uint8_t> out) {
  ParsedQuery q = parse_query(data);
  std::string peer = config_.query.transcript.enabled() ? core::endpoint_text(from) : std::string();
  return handler_.handle(loop, q, Transport::udp, from.address(), peer, out, data).size();
}

Expected<void, std::string> AuthServer::bind(core::Binder& binder) {
  for (const auto& ep : config_.listen) {
    if (auto ok = listen(ep.address(), ep.port(), binder.place()); !ok) return Unexpected(ok.error());
  }
  for (const auto& ep : udp_endpoints()) binder.listening("udp", ep);
  for (const auto& ep : tcp_endpoints()) binder.listening("tcp", ep);
  return {};
}

void AuthServer::start() {
  udp_.start();
  tcp_.start();
  if (secondaries_) secondaries_->start();
}

void AuthServer::reload() {
  control_.reload();
}

void AuthServer::drain() {
  // The secondaries' timers live on loop 0, where the host drains from; dispatch runs it there at once.
  if (secondaries_) asio::dispatch(loops_[0].io(), [s = secondaries_.get()] { s->stop(); });
  core::Service::drain();
}

std::uint64_t AuthServer::queries() const {
  return handler_.messages() + tcp_sessions_.transfers();
}

std::vector<std::string> AuthServer::writable_paths() const {
  if (config_.zones.state_dir.empty()) return {};
  return {config_.zones.state_dir};
}

}  // namespace endhost::dns::server
