// The one admin listener every service shares (`web serve --admin`, `proxy serve --admin-listen`): GET
// /metrics answers with the service's metrics in the Prometheus text exposition format 0.0.4, and GET /health
// answers 200 while the service serves and 503 once its drain began, so a load balancer stops sending work
// before the listeners close. A listener of its own, off the public address, and deliberately simple: one
// small request at a time per connection, no bodies. It keeps answering during the drain (it is not one of
// the host's drained servers) and closes when the loops stop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/asio.hpp"
#include "core/binder.hpp"
#include "core/connection.hpp"
#include "core/expected.hpp"
#include "core/service_host.hpp"
#include "core/tcp_server.hpp"

namespace endhost::web {

class AdminListener {
 public:
  // `metrics_text` renders the /metrics body; it is called on the loop serving the request.
  AdminListener(core::ServiceHost& host, std::string name, std::function<std::string()> metrics_text);
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;

  // Binds (logging `listening service=<name> …`); the error is one line.
  Expected<void, std::string> bind(core::Binder& binder, std::span<const asio::ip::tcp::endpoint> endpoints);
  void start() { tcp_.start(); }
  // The listener itself, for what the host configures on every listener (TLS).
  core::TcpServer& server() { return tcp_; }

  bool draining() const { return draining_.load(std::memory_order_acquire); }
  std::string metrics_text() const { return metrics_text_(); }

 private:
  std::function<std::string()> metrics_text_;
  std::atomic<bool> draining_{false};
  core::TcpServer tcp_;
};

// One connection to an admin listener.
awaitable<void> serve_admin(core::Connection& conn, const AdminListener& admin);

}  // namespace endhost::web
