#include "echo/echo_service.hpp"

#include <chrono>

namespace endhost::echo {

namespace {

const core::SettingTable<EchoServiceOptions>& settings() {
  static const auto table = [] {
    core::SettingTable<EchoServiceOptions> t;
    t.flag("tcp", &EchoServiceOptions::tcp, "Serve TCP: each line back upper-cased, many clients at once");
    t.flag("udp", &EchoServiceOptions::udp, "Serve UDP: each datagram back upper-cased");
    t.integer("max-line", &EchoServiceOptions::max_line, std::size_t{1}, std::size_t{16} << 20,
              "Longest line accepted, in bytes", "BYTES");
    t.seconds("idle-timeout", &EchoServiceOptions::idle_timeout,
              "Seconds of silence before a TCP client is dropped");
    return t;
  }();
  return table;
}

bool flag_set(const core::Settings& s, std::string_view name) {
  const std::string* v = s.get(name);
  if (!v) return false;
  auto b = core::parse_bool_setting(name, *v);
  return b && *b;
}

}  // namespace

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "echo";
  d.summary = "Upper-case echo servers and clients over TCP and UDP";
  d.serve_help = "Answer each line (TCP) or datagram (UDP) upper-cased";
  d.examples = "  endhost echo serve --tcp --udp --listen 127.0.0.1:12000 --trace";
  d.port = kEchoPort;
  d.shift_in_high_mode = false;  // the textbook's port, which needs no privilege
  d.transports = {true, true};
  d.transports_for = [](const core::Settings& s) {
    return core::Transports{flag_set(s, "tcp"), flag_set(s, "udp")};
  };
  d.lab_defaults.add("tcp", "true");
  d.lab_defaults.add("udp", "true");
  core::use_settings(
      d, settings(),
      [](EchoServiceOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        options.max_connections = env.max_connections;
        options.tcp_listen = env.tcp_listen;
        options.udp_listen = env.udp_listen;
        auto made = EchoService::create(options, env.loops, env.log, env.metrics, env.transcript);
        if (!made) return Unexpected(core::ServiceError{made.error()});
        (*made)->secure(env.tls);
        return std::unique_ptr<core::Service>(std::move(*made));
      });
  registry.add(std::move(d));
}

Expected<std::unique_ptr<EchoService>, std::string> EchoService::create(const EchoServiceOptions& o,
                                                                        core::EventLoops& loops,
                                                                        core::Logger& log,
                                                                        core::MetricsRegistry& metrics,
                                                                        core::Transcript transcript) {
  if (!o.tcp && !o.udp) return Unexpected(std::string("choose --tcp or --udp (or both)"));
  if (!(o.idle_timeout > 0) || o.idle_timeout > 1e6)
    return Unexpected(std::string("--idle-timeout must be a positive number of seconds"));
  if (o.max_line == 0) return Unexpected(std::string("--max-line must be at least 1"));
  EchoServerConfig config;
  config.max_line = o.max_line;
  config.idle_timeout = core::seconds_as(o.idle_timeout);
  config.transcript = std::move(transcript);
  auto& messages = metrics.counter("endhost_echo_messages_total", "Lines and datagrams answered");
  return std::unique_ptr<EchoService>(new EchoService(o, std::move(config), loops, log, messages));
}

EchoService::EchoService(const EchoServiceOptions& options, EchoServerConfig config, core::EventLoops& loops,
                         core::Logger& log, core::Counter& messages)
    : options_(options), config_(std::move(config)), messages_(messages) {
  config_.messages = &messages_;
  const EchoServerConfig* shared = &config_;
  if (options_.tcp) {
    tcp_ = std::make_unique<core::TcpServer>(
        loops, log,
        core::TcpServerOptions{"echo",
                               options_.max_connections,
                               [shared](core::Connection& c) { return serve_tcp(c, *shared); },
                               {}});
    drain_with(*tcp_);
  }
  if (options_.udp) {
    udp_ = std::make_unique<core::UdpServer>(
        loops, log,
        core::UdpServerOptions{
            "echo", 65'535,
            [shared](core::UdpSocket& s, std::span<const std::uint8_t> d,
                     const asio::ip::udp::endpoint& from) { serve_udp(s, d, from, *shared); }});
    drain_with(*udp_);
  }
}

Expected<void, std::string> EchoService::bind(core::Binder& binder) {
  if (tcp_) {
    if (auto ok = binder.tcp(*tcp_, options_.tcp_listen); !ok) return ok;
  }
  if (udp_) {
    if (auto ok = binder.udp(*udp_, options_.udp_listen); !ok) return ok;
  }
  return {};
}

void EchoService::secure(std::shared_ptr<core::TlsServerContext> tls) {
  if (tcp_ && tls) tcp_->set_tls(std::move(tls), {});
}

void EchoService::start() {
  if (tcp_) tcp_->start();
  if (udp_) udp_->start();
}

}  // namespace endhost::echo
