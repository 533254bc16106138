// `endhost echo serve` and the lab's echo hosts as one core::Service: the options checked once (the same
// messages from the command line and the lab), the TCP and UDP servers bound through the Binder, drained by
// the host that adopts it, and its one counter for the dashboard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/service_registry.hpp"
#include "core/tcp_server.hpp"
#include "core/transcript.hpp"
#include "core/udp_server.hpp"
#include "echo/echo_server.hpp"

namespace endhost::echo {

inline constexpr std::uint16_t kEchoPort = 12000;  // the textbook's serverPort

struct EchoServiceOptions {
  bool tcp = false;
  bool udp = false;
  std::size_t max_line = 64 * 1024;
  double idle_timeout = 60;  // seconds
  std::size_t max_connections = 10'000;
  std::vector<asio::ip::tcp::endpoint> tcp_listen;  // bound when `tcp`
  std::vector<asio::ip::udp::endpoint> udp_listen;  // bound when `udp`
};

// Adds "echo" to the registry: `endhost echo serve` and a lab host's `echo = { … }`.
void register_service(core::ServiceRegistry& registry);

class EchoService final : public core::Service {
 public:
  // Checks the options; the error is one line naming the command-line option.
  static Expected<std::unique_ptr<EchoService>, std::string> create(const EchoServiceOptions& options,
                                                                    core::EventLoops& loops,
                                                                    core::Logger& log,
                                                                    core::MetricsRegistry& metrics,
                                                                    core::Transcript transcript);

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  // TLS on the TCP listener (--tls-cert/--tls-key); null leaves it plain. Call before start().
  void secure(std::shared_ptr<core::TlsServerContext> tls);
  std::vector<core::NamedCount> counters() const override { return {{"messages", messages_.value()}}; }

 private:
  EchoService(const EchoServiceOptions& options, EchoServerConfig config, core::EventLoops& loops,
              core::Logger& log, core::Counter& messages);

  EchoServiceOptions options_;
  EchoServerConfig config_;
  core::Counter& messages_;
  std::unique_ptr<core::TcpServer> tcp_;
  std::unique_ptr<core::UdpServer> udp_;
};

}  // namespace endhost::echo
