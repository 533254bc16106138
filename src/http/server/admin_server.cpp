#include "http/server/admin_server.hpp"

#include <chrono>
#include <ctime>
#include <string>

#include "core/byte_buffer.hpp"
#include "http/date.hpp"
#include "http/request_parser.hpp"
#include "http/server/response.hpp"
#include "http/server/url_path.hpp"

namespace endhost::web {

namespace {

constexpr auto kDeferred = asio::as_tuple(asio::deferred);
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

awaitable<void> serve_admin(core::Connection& conn, const AdminListener& admin) {
  const http::Limits limits = admin_limits();
  http::RequestParser parser(limits);
  core::ByteBuffer in(limits.max_head_bytes + 1024);
  std::string out, body;
  http::DateCache date;
  for (;;) {
    parser.reset();
    conn.expires_after(kTimeout);
    Expected<http::HeadStep, http::Error> step = http::HeadStep{};
    for (;;) {
      step = parser.parse_head(in.readable());
      if (!step || step->progress == http::Progress::complete) break;
      auto space = in.read_space();
      if (!space) co_return;  // cannot happen: the parser's head limit is lower
      const bool idle = in.empty();
      if (idle && !conn.begin_idle()) co_return;
      auto [ec, n] =
          co_await conn.stream().async_read_some(asio::buffer(space->data(), space->size()), kDeferred);
      if (idle) conn.end_idle();
      if (ec) co_return;
      in.commit(n);
    }
    out.clear();
    body.clear();
    const std::string_view now = date.get(std::time(nullptr));
    bool keep_alive = false;
    bool health = false;
    http::Status status = http::Status::ok;
    std::string_view allow;
    if (!step) {
      status = step.error().status;
    } else {
      const http::RequestHead& head = parser.head();
      keep_alive = head.keep_alive && parser.done() && !conn.draining();
      const std::string_view path = split_target(head.target).path;
      if (head.method_id != http::Method::get && head.method_id != http::Method::head) {
        status = http::Status::method_not_allowed;
        allow = "GET, HEAD";
      } else if (path == "/health") {
        // 503 once the drain began: the service still finishes what it has, but takes nothing new.
        health = true;
        status = admin.draining() ? http::Status::service_unavailable : http::Status::ok;
        body = admin.draining() ? "draining\n" : "serving\n";
      } else if (path != "/metrics") {
        status = http::Status::not_found;
      } else {
        body = admin.metrics_text();
      }
      in.consume(step->consumed);
      if (health) {
        begin_response(out, status, now);
        out += "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n";
        append_content_length(out, body.size());
        end_response(out, keep_alive, head.version);
        if (head.method_id == http::Method::get) out += body;
      } else if (status == http::Status::ok) {
        begin_response(out, status, now);
        out += "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\nCache-Control: no-store\r\n";
        append_content_length(out, body.size());
        end_response(out, keep_alive, head.version);
        if (head.method_id == http::Method::get) out += body;
      }
    }
    if (status != http::Status::ok && !health) {
      append_error_page(body, status);
      begin_response(out, status, now);
      if (!allow.empty()) append_field(out, "Allow", allow);
      out += "Content-Type: text/html; charset=utf-8\r\n";
      append_content_length(out, body.size());
      end_response(out, keep_alive, http::http11);
      out += body;
    }
    auto [ec, n] = co_await asio::async_write(conn.stream(), asio::buffer(out), kDeferred);
    if (ec || !keep_alive) co_return;
  }
}

}  // namespace endhost::web
