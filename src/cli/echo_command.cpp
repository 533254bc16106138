// `endhost echo serve|client`: the upper-case echo servers and clients of the socket-programming chapter.

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/host_port.hpp"
#include "core/tcp_server.hpp"
#include "core/udp_server.hpp"
#include "echo/echo_client.hpp"
#include "echo/echo_server.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kEchoPort = 12000;  // the textbook's serverPort

struct ServeOptions {
  ServerOptions server;
  bool tcp = false;
  bool udp = false;
  std::size_t max_line = 64 * 1024;
  double idle_timeout = 60;
};

int serve(const ServeOptions& o) {
  if (!o.tcp && !o.udp) throw UsageError("choose --tcp or --udp (or both)");
  auto rt = make_runtime(o.server);
  echo::EchoServerConfig config;
  config.max_line = o.max_line;
  config.idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(o.idle_timeout, "--idle-timeout"));
  config.transcript = rt.transcript("echo");
  config.messages =
      &rt.host->metrics().counter("endhost_echo_messages_total", "Lines and datagrams answered");

  std::unique_ptr<core::TcpServer> tcp;
  std::unique_ptr<core::UdpServer> udp;
  if (o.tcp) {
    tcp = std::make_unique<core::TcpServer>(
        rt.host->loops(), *rt.log,
        core::TcpServerOptions{"echo",
                               o.server.max_connections,
                               [&config](core::Connection& c) { return echo::serve_tcp(c, config); },
                               {}});
    rt.secure(*tcp, {});
    bind_tcp(*tcp, tcp_listen_endpoints(o.server, kEchoPort), *rt.log, "echo");
    rt.host->add(*tcp);
    tcp->start();
  }
  if (o.udp) {
    udp = std::make_unique<core::UdpServer>(
        rt.host->loops(), *rt.log,
        core::UdpServerOptions{
            "echo", 65'535,
            [&config](core::UdpSocket& s, std::span<const std::uint8_t> d,
                      const asio::ip::udp::endpoint& from) { echo::serve_udp(s, d, from, config); }});
    bind_udp(*udp, udp_listen_endpoints(o.server, kEchoPort), *rt.log, "echo");
    rt.host->add(*udp);
    udp->start();
  }
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
  serve_cmd->add_flag("--tcp", serve_opts->tcp,
                      "Serve TCP: each line back upper-cased, many clients at once");
  serve_cmd->add_flag("--udp", serve_opts->udp, "Serve UDP: each datagram back upper-cased");
  add_server_options(*serve_cmd, serve_opts->server, "127.0.0.1:12000");
  serve_cmd->add_option("--max-line", serve_opts->max_line, "Longest line accepted, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16} << 20))
      ->capture_default_str();
  serve_cmd
      ->add_option("--idle-timeout", serve_opts->idle_timeout,
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
