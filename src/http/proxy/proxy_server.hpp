// The caching proxy (`endhost proxy serve`): a forward proxy for browsers and curl (absolute-form requests,
// CONNECT tunnels) or a reverse proxy in front of configured origins, that stores responses by RFC 9111 in
// a cache::Store. A ProxyServer supplies the session coroutines a core::TcpServer runs for each connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http/cache/store.hpp"
#include "http/proxy/access_log.hpp"
#include "http/proxy/proxy_config.hpp"

namespace endhost::http::proxy {

struct ProxyState;

class ProxyServer {
 public:
  // `store`, `loops`, `metrics`, `log` and `access_log` (optional) must outlive the server.
  ProxyServer(ProxyConfig config, cache::Store& store, core::EventLoops& loops,
              core::MetricsRegistry& metrics, core::Logger& log, AccessLog* access_log);
  ~ProxyServer();

  // The addresses the proxy listens on, once bound and before the loops run: requests for them are refused
  // as forwarding loops.
  void set_listening(std::vector<asio::ip::tcp::endpoint> endpoints);

  // One client connection (TcpServerOptions::session).
  awaitable<void> serve(core::Connection& conn);
  // Over the connection limit: a 503 and close (TcpServerOptions::refuse).
  awaitable<void> refuse(core::Connection& conn);
  // One connection to the admin listener: GET /metrics answers in the Prometheus text format.
  awaitable<void> serve_admin(core::Connection& conn);

  // The metrics in Prometheus text format, plus the derived hit ratio.
  std::string metrics_text() const;
  // Flushes the access log and closes idle upstream connections and their reaper timers (at shutdown, after
  // the loops stopped, before their io_contexts go).
  void flush();

 private:
  std::unique_ptr<ProxyState> state_;
};

}  // namespace endhost::http::proxy
