// The web server of `endhost web serve`: static files from one or more roots over HTTP/1.0 and HTTP/1.1
// (RFC 9110, RFC 9112), with keep-alive, pipelining, conditional and range requests, and sendfile(2) for
// bodies. It owns the state shared by all connections and the state of each event loop; TcpServer runs
// session() for every connection and refuse() for those over the connection limit.
#pragma once

#include <memory>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/tcp_server.hpp"
#include "http/server/web_config.hpp"

namespace endhost::web {

struct ServerState;

class WebServer {
 public:
  WebServer(WebConfig config, core::EventLoops& loops, core::MetricsRegistry& metrics, core::Logger& log);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  awaitable<void> session(core::Connection& conn);
  awaitable<void> refuse(core::Connection& conn);

  // TcpServer options that run this server's sessions (and its polite refusal over the limit).
  core::TcpServerOptions tcp_options(std::size_t max_connections);

  // Re-opens the access log on every loop (SIGHUP, for log rotation). Thread-safe; returns at once.
  void reopen_logs();

  const WebConfig& config() const;
  // Requests answered (every status) and bytes sent, for the lab's dashboard. Thread-safe.
  std::vector<core::NamedCount> counters() const;

 private:
  std::unique_ptr<ServerState> state_;
  core::EventLoops& loops_;
  core::Logger& log_;
};

}  // namespace endhost::web
