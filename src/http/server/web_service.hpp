// `endhost web serve` and the lab's web hosts as one core::Service: the options checked once by
// make_web_config (the same sentences from the command line and the lab), the WebServer behind one TcpServer
// bound through the Binder, TLS with ALPN h2 and http/1.1 when the host gives certificates (on every
// listener, or with --tls-listen on a second TcpServer of its own while --listen stays clear, as the lab's
// web hosts do), the access log re-opened on SIGHUP, and the dashboard's counters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/service.hpp"
#include "core/service_registry.hpp"
#include "core/tcp_server.hpp"
#include "http/server/web_options.hpp"
#include "http/server/web_server.hpp"

namespace endhost::web {

inline constexpr std::uint16_t kWebPort = 80;         // RFC 9110 §4.2.1: http's well-known port
inline constexpr std::uint16_t kWebServePort = 8080;  // `endhost web serve` without --listen: no privilege

// Adds "web" to the registry: `endhost web serve` and a lab host's `web = { … }`.
void register_service(core::ServiceRegistry& registry);

class WebService final : public core::Service {
 public:
  // Checks the options together and opens what they name (make_web_config); env gives the loops, the log,
  // the metrics registry, the transcript, the addresses, the connection limit and TLS.
  static Expected<std::unique_ptr<WebService>, core::ServiceError> create(const WebOptions& options,
                                                                          core::ServiceEnv& env);

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  // SIGHUP: re-opens the access log on every loop, for log rotation.
  void reload() override;
  // Requests answered (every status) first, then bytes sent.
  std::vector<core::NamedCount> counters() const override { return server_.counters(); }
  // Writes what the access log still buffers: the loops have stopped, so no loop appends meanwhile.
  void stopped() override;
  std::vector<std::string> writable_paths() const override;
  // The clear listeners' bound addresses (the real port when 0 was asked for), after bind().
  std::vector<asio::ip::tcp::endpoint> local_endpoints() const { return tcp_.local_endpoints(); }

 private:
  WebService(const WebOptions& options, WebConfig config, core::ServiceEnv& env);

  // The `serving` line of each site, and the warning for --writable in clear text off loopback.
  void log_start(core::Logger& log, const std::string& host, bool tls) const;

  WebOptions options_;
  std::vector<asio::ip::tcp::endpoint> listen_;
  std::vector<asio::ip::tcp::endpoint> tls_listen_;
  std::shared_ptr<AccessLog> access_log_;
  std::size_t loops_;
  // The TcpServer's sessions call into the WebServer: it is declared first, so destroyed last.
  WebServer server_;
  core::TcpServer tcp_;
  std::optional<core::TcpServer> tls_tcp_;  // --tls-listen
};

}  // namespace endhost::web
