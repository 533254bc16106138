// The caching proxy (`endhost proxy serve`): a forward proxy for browsers and curl (absolute-form requests,
// CONNECT tunnels) or a reverse proxy in front of configured origins, that stores responses by RFC 9111 in
// a cache::Store. A ProxyServer supplies the session coroutines a core::TcpServer runs for each connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/drainable.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "http/cache/store.hpp"
#include "http/proxy/access_log.hpp"
#include "http/proxy/proxy_config.hpp"

namespace endhost::http::proxy {

struct ProxyState;

// A Drainable for the work no listener counts: the background revalidations it started (RFC 5861 §3). The
// client connections are the TcpServer's.
class ProxyServer final : public core::Drainable {
 public:
  // `store`, `loops`, `metrics`, `log` and `access_log` (optional) must outlive the server.
  ProxyServer(ProxyConfig config, cache::Store& store, core::EventLoops& loops,
              core::MetricsRegistry& metrics, core::Logger& log, AccessLog* access_log);
  ~ProxyServer() override;

  // The addresses the proxy listens on, once bound and before the loops run: requests for them are refused
  // as forwarding loops.
  void set_listening(std::vector<asio::ip::tcp::endpoint> endpoints);

  // One client connection (TcpServerOptions::session).
  awaitable<void> serve(core::Connection& conn);
  // Over the connection limit: a 503 and close (TcpServerOptions::refuse).
  awaitable<void> refuse(core::Connection& conn);

  // The metrics in Prometheus text format, plus the derived hit ratio.
  std::string metrics_text() const;
  // Requests, hits, misses, revalidations, stored, bytes saved: for the lab's dashboard. Thread-safe.
  std::vector<core::NamedCount> counters() const;

  // Drainable: nothing to stop (the listener is the TcpServer's); background revalidations in flight.
  void drain() override {}
  std::size_t in_flight() const override;
  void abort() override {}
  // Flushes the access log and closes idle upstream connections and their reaper timers (at shutdown, after
  // the loops stopped, before their io_contexts go).
  void flush();

 private:
  std::unique_ptr<ProxyState> state_;
};

}  // namespace endhost::http::proxy
