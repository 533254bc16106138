#include "http/server/admin_server.hpp"

#include <chrono>
#include <string>

#include "http/server/response.hpp"
#include "http/server/url_path.hpp"
#include "http/server_driver.hpp"

namespace endhost::web {

namespace {

constexpr std::chrono::seconds kTimeout{10};

http::Limits admin_limits() {
  http::Limits l;
  l.max_start_line = 2048;
  l.max_head_bytes = 8192;
  l.max_fields = 32;
  l.max_body_size = 0;  // the admin endpoint takes no bodies: announcing one is 413
  return l;
}

}  // namespace

AdminListener::AdminListener(core::ServiceHost& host, std::string name,
                             std::function<std::string()> metrics_text)
    : metrics_text_(std::move(metrics_text)),
      tcp_(host.loops(), host.log(),
           core::TcpServerOptions{
               std::move(name), 64, [this](core::Connection& c) { return serve_admin(c, *this); }, {}}) {
  host.on_shutdown([this] { draining_.store(true, std::memory_order_release); });
}

Expected<void, std::string> AdminListener::bind(core::Binder& binder,
                                                std::span<const asio::ip::tcp::endpoint> endpoints) {
  return binder.tcp(tcp_, endpoints);
}

namespace {

// Answers /health and /metrics (GET and HEAD); everything else is an error page.
class AdminHandler final : public http::ServerHandler {
 public:
  explicit AdminHandler(const AdminListener& admin) : admin_(admin) {}

  awaitable<http::ServerResponse> handle(http::ServerRequest& request) override {
    co_return respond(request);
  }

 private:
  http::ServerResponse respond(const http::ServerRequest& request) const {
    http::ServerResponse r;
    r.fields.add("Server", kServerName);
    r.close = request.error != nullptr || !request.keep_alive;
    bool health = false;
    std::string_view allow;
    if (request.error) {
      r.status = request.error->status;
    } else {
      const http::RequestHead& head = *request.head;
      const std::string_view path = split_target(head.target).path;
      if (head.method_id != http::Method::get && head.method_id != http::Method::head) {
        r.status = http::Status::method_not_allowed;
        allow = "GET, HEAD";
      } else if (path == "/health") {
        // 503 once the drain began: the service still finishes what it has, but takes nothing new.
        health = true;
        r.status = admin_.draining() ? http::Status::service_unavailable : http::Status::ok;
        r.body = admin_.draining() ? "draining\n" : "serving\n";
      } else if (path != "/metrics") {
        r.status = http::Status::not_found;
      } else {
        r.body = admin_.metrics_text();
      }
      if (health || r.status == http::Status::ok) {
        r.fields.add("Content-Type",
                     health ? "text/plain; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8");
        r.fields.add("Cache-Control", "no-store");
        return r;
      }
    }
    append_error_page(r.body, r.status);
    if (!allow.empty()) r.fields.add("Allow", allow);
    r.fields.add("Content-Type", "text/html; charset=utf-8");
    return r;
  }

  const AdminListener& admin_;
};

}  // namespace

awaitable<void> serve_admin(core::Connection& conn, const AdminListener& admin) {
  http::ServerConnection::Options options;
  options.limits = admin_limits();
  options.read_size = 1024;
  const http::DriverTimeouts timeouts{.idle = kTimeout, .head = kTimeout, .body_read = {}, .send = kTimeout};
  http::ServerDriver driver(conn, options, timeouts);
  AdminHandler handler(admin);
  co_await driver.run(handler);
}

}  // namespace endhost::web
