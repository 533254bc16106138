// `endhost echo serve|client`: the upper-case echo servers and clients of the socket-programming chapter.

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/binder.hpp"
#include "core/host_port.hpp"
#include "echo/echo_client.hpp"
#include "echo/echo_service.hpp"

namespace endhost::cli {

namespace {

using echo::kEchoPort;

struct ServeOptions {
  ServerOptions server;
  echo::EchoServiceOptions echo;
};

int serve(const ServeOptions& o) {
  echo::EchoServiceOptions options = o.echo;
  options.max_connections = o.server.max_connections;
  if (options.tcp) options.tcp_listen = tcp_listen_endpoints(o.server, kEchoPort);
  if (options.udp) options.udp_listen = udp_listen_endpoints(o.server, kEchoPort);
  auto rt = make_runtime(o.server);
  auto service = echo::EchoService::create(options, rt.host->loops(), *rt.log, rt.host->metrics(),
                                           rt.transcript("echo"));
  if (!service) throw UsageError(service.error());
  auto& echo = rt.host->adopt(std::move(*service));
  echo.secure(rt.tls);
  core::Binder binder(*rt.log, "echo");
  if (auto ok = echo.bind(binder); !ok) throw RuntimeError(ok.error());
  drop_privileges(o.server, *rt.log, binder.lowest_port());
  echo.start();
  return rt.host->run();
}

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
  auto* echo = root.add_subcommand("echo", "Upper-case echo servers and clients over TCP and UDP");
  echo->require_subcommand(1);

  auto serve_opts = std::make_shared<ServeOptions>();
  auto* serve_cmd = echo->add_subcommand("serve", "Answer each line (TCP) or datagram (UDP) upper-cased");
  serve_cmd->add_flag("--tcp", serve_opts->echo.tcp,
                      "Serve TCP: each line back upper-cased, many clients at once");
  serve_cmd->add_flag("--udp", serve_opts->echo.udp, "Serve UDP: each datagram back upper-cased");
  add_server_options(*serve_cmd, serve_opts->server, "127.0.0.1:12000");
  serve_cmd->add_option("--max-line", serve_opts->echo.max_line, "Longest line accepted, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16} << 20))
      ->capture_default_str();
  serve_cmd
      ->add_option("--idle-timeout", serve_opts->echo.idle_timeout,
                   "Seconds of silence before a TCP client is dropped")
      ->capture_default_str();
  serve_cmd->footer("Example:\n  endhost echo serve --tcp --udp --listen 127.0.0.1:12000 --trace");
  serve_cmd->callback([serve_opts, &run] { run = [serve_opts] { return serve(*serve_opts); }; });

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
