// `endhost ping client`: the UDP pinger lab's client, and the heartbeat exercise. `ping serve` comes from the
// service registry (ping/ping_settings.hpp).

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/host_port.hpp"
#include "ping/ping_client.hpp"
#include "ping/ping_server.hpp"

namespace endhost::cli {

namespace {

struct ClientOptions {
  std::string server;
  std::size_t count = 10;
  double interval = 1;
  double timeout = 1;
  bool heartbeat = false;
  bool quiet = false;
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
  options.quiet = o.quiet;
  return ping::run_ping_client(options, std::cout, std::cerr);
}

}  // namespace

void add_ping_commands(CLI::App& root, RunFn& run) {
  auto* ping_cmd = &service_command(root, "ping");

  auto co = std::make_shared<ClientOptions>();
  auto* client_cmd = ping_cmd->add_subcommand("client", "Send pings and report round-trip times and loss");
  client_cmd->add_option("server", co->server, "The ping server, HOST[:PORT] (port 12000 by default)")
      ->required()
      ->type_name("HOST[:PORT]");
  client_cmd->add_option("--count,-c", co->count, "Pings to send (0: until Ctrl-C)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}))
      ->capture_default_str();
  client_cmd->add_option("--interval,-i", co->interval, "Seconds between pings (fractions allowed)")
      ->capture_default_str();
  client_cmd->add_option("--timeout,-W", co->timeout, "Seconds to wait for each reply")
      ->capture_default_str();
  client_cmd->add_flag("--quiet,-q", co->quiet, "Print only the first line and the statistics (ping -q)");
  client_cmd->add_flag("--heartbeat", co->heartbeat,
                       "Send one-way heartbeats instead; the server reports losses and silence");
  client_cmd->footer(
      "Ctrl-C stops early and prints the statistics, as ping(8) does.\n"
      "Examples:\n  endhost ping client 127.0.0.1 --count 10\n"
      "  endhost ping client 127.0.0.1 -c 0 -q          until Ctrl-C, then only the statistics\n"
      "  endhost ping client 127.0.0.1:12000 --heartbeat --count 20 --interval 0.2");
  client_cmd->callback([co, &run] { run = [co] { return client(*co); }; });
}

}  // namespace endhost::cli
