// `endhost ping serve|client`: the UDP pinger lab, with simulated loss and delay, and the heartbeat exercise.

#include <charconv>
#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/host_port.hpp"
#include "ping/ping_client.hpp"
#include "ping/ping_server.hpp"

namespace endhost::cli {

namespace {

struct ServeOptions {
  ServerOptions server;
  double loss = 0;
  std::string delay;
  std::uint64_t seed = 0;
  bool has_seed = false;
  double heartbeat_timeout = 5;
};

// "MS" or "MS:JITTER", both milliseconds, fractions allowed.
ping::LossSettings parse_delay(const std::string& text, double loss) {
  ping::LossSettings s;
  s.loss = loss;
  if (text.empty()) return s;
  auto parse_ms = [&](std::string_view part) {
    double v = -1;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v < 0 || v > 3'600'000) {
      throw UsageError("--delay " + text + ": expected MS or MS:JITTER in milliseconds, such as 50 or 50:10");
    }
    return std::chrono::microseconds(static_cast<std::int64_t>(v * 1000));
  };
  std::string_view t(text);
  auto colon = t.find(':');
  s.delay = parse_ms(t.substr(0, colon));
  if (colon != std::string_view::npos) s.jitter = parse_ms(t.substr(colon + 1));
  return s;
}

int serve(const ServeOptions& o) {
  ping::PingServerConfig config;
  config.loss = parse_delay(o.delay, o.loss);
  if (o.has_seed) config.seed = o.seed;
  config.heartbeat_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      seconds_option(o.heartbeat_timeout, "--heartbeat-timeout"));
  auto endpoints = udp_listen_endpoints(o.server, ping::kDefaultPort);
  auto rt = make_runtime(o.server);
  config.transcript = rt.transcript("ping");
  ping::PingServer server(*rt.host, config);
  const std::uint16_t lowest_port = bind_udp(server.udp(), endpoints, *rt.log, "ping");
  rt.host->add(server);
  server.start();
  drop_privileges(o.server, *rt.log, lowest_port);
  return rt.host->run();
}

struct ClientOptions {
  std::string server;
  std::size_t count = 10;
  double interval = 1;
  double timeout = 1;
  bool heartbeat = false;
};

int client(const ClientOptions& o) {
  auto hp = core::parse_host_port(o.server, ping::kDefaultPort);
  if (!hp) throw UsageError(hp.error());
  ping::PingClientOptions options;
  options.server = *hp;
  options.count = o.count;
  options.interval = seconds_option(o.interval, "--interval");
  options.timeout = seconds_option(o.timeout, "--timeout");
  options.heartbeat = o.heartbeat;
  return ping::run_ping_client(options, std::cout, std::cerr);
}

}  // namespace

void add_ping_commands(CLI::App& root, RunFn& run) {
  auto* ping_cmd = root.add_subcommand("ping", "UDP ping server (with simulated loss and delay) and client");
  ping_cmd->require_subcommand(1);

  auto so = std::make_shared<ServeOptions>();
  auto* serve_cmd = ping_cmd->add_subcommand("serve", "Answer pings upper-cased, dropping and delaying some");
  add_server_options(*serve_cmd, so->server, "127.0.0.1:12000", false);
  serve_cmd->add_option("--loss", so->loss, "Fraction of pings to drop at random, 0 to 1 (the lab uses 0.3)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  serve_cmd->add_option("--delay", so->delay, "Delay before each reply, MS or MS:JITTER (milliseconds)")
      ->type_name("MS[:JITTER]");
  auto* seed = serve_cmd->add_option("--seed", so->seed, "Seed for the loss and delay (repeatable runs)");
  serve_cmd
      ->add_option("--heartbeat-timeout", so->heartbeat_timeout,
                   "Seconds without a heartbeat before a client is reported gone")
      ->capture_default_str();
  serve_cmd->footer(
      "Example:\n  endhost ping serve --listen 127.0.0.1:12000 --loss 0.3 --delay 20:5 --seed 7");
  serve_cmd->callback([so, seed, &run] {
    so->has_seed = seed->count() > 0;
    run = [so] { return serve(*so); };
  });

  auto co = std::make_shared<ClientOptions>();
  auto* client_cmd = ping_cmd->add_subcommand("client", "Send pings and report round-trip times and loss");
  client_cmd->add_option("server", co->server, "The ping server, HOST[:PORT] (port 12000 by default)")
      ->required()
      ->type_name("HOST[:PORT]");
  client_cmd->add_option("--count,-c", co->count, "Pings to send")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->capture_default_str();
  client_cmd->add_option("--interval,-i", co->interval, "Seconds between pings (fractions allowed)")
      ->capture_default_str();
  client_cmd->add_option("--timeout,-W", co->timeout, "Seconds to wait for each reply")
      ->capture_default_str();
  client_cmd->add_flag("--heartbeat", co->heartbeat,
                       "Send one-way heartbeats instead; the server reports losses and silence");
  client_cmd->footer(
      "Examples:\n  endhost ping client 127.0.0.1 --count 10\n"
      "  endhost ping client 127.0.0.1:12000 --heartbeat --count 20 --interval 0.2");
  client_cmd->callback([co, &run] { run = [co] { return client(*co); }; });
}

}  // namespace endhost::cli
