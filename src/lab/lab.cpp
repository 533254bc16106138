#include "lab/lab.hpp"

#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <stdexcept>

#include "core/service_host.hpp"
#include "core/tcp_server.hpp"
#include "core/transcript.hpp"
#include "core/udp_server.hpp"
#include "echo/echo_server.hpp"
#include "ping/ping_server.hpp"

namespace endhost::lab {

namespace {

constexpr const char* kEchoAddress = "127.0.2.1";
constexpr const char* kPingAddress = "127.0.2.2";
constexpr double kPingLoss = 0.3;  // the socket-programming lab's UDPPingerServer drops 30%

template <class Server>
void listen_or_throw(Server& server,
                     const typename decltype(std::declval<Server&>().local_endpoints())::value_type& ep,
                     const std::string& host) {
  if (auto ok = server.listen(ep); !ok) throw std::runtime_error("lab host " + host + ": " + ok.error());
}

}  // namespace

std::vector<LabHost> default_hosts(const LabOptions& o) {
  return {
      {"echo.lab",
       kEchoAddress,
       {{"echo", "tcp", o.port, "upper-case echo"}, {"echo", "udp", o.port, "upper-case echo"}}},
      {"ping.lab", kPingAddress, {{"ping", "udp", o.port, fmt::format("{:g}% loss", kPingLoss * 100)}}},
  };
}

std::string format_map(const std::vector<LabHost>& hosts) {
  std::string out = "endhost lab: a small Internet on loopback addresses\n\n";
  out += fmt::format("  {:<14} {:<12} {}\n", "host", "address", "services");
  for (const auto& h : hosts) {
    std::string services;
    for (const auto& s : h.services) {
      if (!services.empty()) services += ", ";
      services += fmt::format("{}/{} {}", s.name, s.protocol, s.port);
      if (!s.note.empty()) services += " (" + s.note + ")";
    }
    out += fmt::format("  {:<14} {:<12} {}\n", h.name, h.address, services);
  }
  out += "\nTry:\n";
  for (const auto& h : hosts) {
    for (const auto& s : h.services) {
      if (s.name == "echo") {
        out += fmt::format("  endhost echo client --{} {}:{} 'hello lab'\n", s.protocol, h.address, s.port);
      } else if (s.name == "ping") {
        out += fmt::format("  endhost ping client {}:{} --count 10\n", h.address, s.port);
      }
    }
  }
  out += "\nPress Ctrl-C to stop.\n";
  return out;
}

int run_lab(const LabOptions& o, std::ostream& out) {
  core::Logger log(o.log_format, core::LogLevel::Info, stderr);
  std::unique_ptr<core::StreamTranscriptSink> trace;
  if (o.trace) trace = std::make_unique<core::StreamTranscriptSink>(stdout);
  core::ServiceHost host(core::ServiceHostOptions{o.threads, std::chrono::seconds(5), true}, log);

  echo::EchoServerConfig echo_config;
  echo_config.transcript = core::Transcript(trace.get(), "echo.lab/echo");
  echo_config.messages =
      &host.metrics().counter("endhost_echo_messages_total", "Lines and datagrams answered");
  core::TcpServer echo_tcp(
      host.loops(), log,
      {"echo", 10'000, [&](core::Connection& c) { return echo::serve_tcp(c, echo_config); }, {}});
  core::UdpServer echo_udp(
      host.loops(), log,
      {"echo", 65'535,
       [&](core::UdpSocket& s, std::span<const std::uint8_t> d, const asio::ip::udp::endpoint& from) {
         echo::serve_udp(s, d, from, echo_config);
       }});
  ping::PingServerConfig ping_config;
  ping_config.loss.loss = kPingLoss;
  ping_config.transcript = core::Transcript(trace.get(), "ping.lab/ping");
  ping::PingServer ping_server(host, ping_config);

  auto echo_addr = asio::ip::make_address(kEchoAddress);
  auto ping_addr = asio::ip::make_address(kPingAddress);
  listen_or_throw(echo_tcp, asio::ip::tcp::endpoint(echo_addr, o.port), "echo.lab");
  listen_or_throw(echo_udp, asio::ip::udp::endpoint(echo_addr, o.port), "echo.lab");
  listen_or_throw(ping_server.udp(), asio::ip::udp::endpoint(ping_addr, o.port), "ping.lab");

  for (core::Drainable* d : std::initializer_list<core::Drainable*>{&echo_tcp, &echo_udp, &ping_server})
    host.add(*d);
  echo_tcp.start();
  echo_udp.start();
  ping_server.start();
  out << format_map(default_hosts(o)) << std::flush;
  return host.run();
}

}  // namespace endhost::lab
