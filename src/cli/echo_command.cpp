// `endhost echo client`: the upper-case echo clients of the socket-programming chapter. `echo serve` comes
// from the service registry (echo/echo_service.hpp).

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/host_port.hpp"
#include "echo/echo_client.hpp"
#include "echo/echo_service.hpp"

namespace endhost::cli {

namespace {

using echo::kEchoPort;

struct ClientOptions {
  bool tcp = false;
  bool udp = false;
  std::string server;
  std::string message;
  double timeout = 5;
};

int client(const ClientOptions& o, bool has_message) {
  if (o.tcp == o.udp) throw UsageError("choose one of --tcp or --udp");
  auto hp = core::parse_host_port(o.server, kEchoPort);
  if (!hp) throw UsageError(hp.error());
  echo::EchoClientOptions options;
  options.udp = o.udp;
  options.server = *hp;
  if (has_message) options.message = o.message;
  options.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(o.timeout, "--timeout"));
  return echo::run_echo_client(options, std::cin, std::cout, std::cerr);
}

}  // namespace

void add_echo_commands(CLI::App& root, RunFn& run) {
  auto* echo = &service_command(root, "echo");

  auto client_opts = std::make_shared<ClientOptions>();
  auto* client_cmd = echo->add_subcommand("client", "Send a line or datagram and print the answer");
  client_cmd->add_flag("--tcp", client_opts->tcp, "Use TCP");
  client_cmd->add_flag("--udp", client_opts->udp, "Use UDP");
  client_cmd
      ->add_option("server", client_opts->server, "The echo server, HOST[:PORT] (port 12000 by default)")
      ->required()
      ->type_name("HOST:PORT");
  auto* msg = client_cmd->add_option("message", client_opts->message,
                                     "Text to send; without it, each line of standard input is sent");
  client_cmd
      ->add_option("--timeout", client_opts->timeout, "Seconds to wait for the connection and each answer")
      ->capture_default_str();
  client_cmd->footer(
      "Examples:\n  endhost echo client --tcp 127.0.0.1:12000 'hello there'\n"
      "  printf 'one\\ntwo\\n' | endhost echo client --udp 127.0.0.1:12000");
  client_cmd->callback([client_opts, msg, &run] {
    bool has_message = msg->count() > 0;
    run = [client_opts, has_message] { return client(*client_opts, has_message); };
  });
}

}  // namespace endhost::cli
