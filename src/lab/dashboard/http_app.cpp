#include "lab/dashboard/http_app.hpp"

#include <array>

#include "http/serializer.hpp"
#include "http/server_driver.hpp"

namespace endhost::lab {

namespace {

awaitable<bool> write_all(core::Connection& conn, std::string_view data, std::chrono::milliseconds timeout) {
  conn.expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(conn.stream(), asio::buffer(data.data(), data.size()), use_nothrow);
  (void)n;
  co_return !ec;
}

// The answer to a request the parser rejected: its status, and close (the framing may be lost).
AppResponse error_response(const http::Error& e) {
  AppResponse r;
  r.status = e.status;
  r.body = std::string(http::reason_phrase(e.status)) + "\n";
  return r;
}

}  // namespace

awaitable<bool> AppStream::send(std::string_view data) {
  buf_.clear();
  http::append_chunk(buf_, data);
  if (buf_.empty()) co_return true;
  co_return co_await write_all(conn_, buf_, send_timeout_);
}

std::string render_response(const AppResponse& r, bool keep_alive, const std::string& server) {
  std::string out;
  out.reserve(256 + r.body.size());
  http::append_status_line(out, http::http11, r.status);
  http::append_field(out, "Server", server);
  http::append_field(out, "Content-Type", r.content_type);
  if (!r.stream) http::append_field(out, "Content-Length", std::to_string(r.body.size()));
  if (r.stream) http::append_field(out, "Transfer-Encoding", "chunked");
  // The pages show live state: never from a cache (the lab's own Web cache included).
  if (!r.fields.contains("Cache-Control")) http::append_field(out, "Cache-Control", "no-store");
  http::append_field(out, "X-Content-Type-Options", "nosniff");
  if (!keep_alive) http::append_field(out, "Connection", "close");
  http::append_fields(out, r.fields);
  http::append_end_of_head(out);
  return out;
}

namespace {

// Turns the driver's requests into AppRequests and the app's answers into bytes.
class AppHandler final : public http::ServerHandler {
 public:
  AppHandler(core::Connection& conn, HttpApp& app, const HttpAppConfig& config)
      : conn_(conn), app_(app), config_(config) {}

  awaitable<http::ServerResponse> handle(http::ServerRequest& request) override {
    http::ServerResponse out;
    if (request.error) {
      // The answer to a request the parser rejected: its status, and close (the framing may be lost).
      const AppResponse r = error_response(*request.error);
      out.bytes = render_response(r, false, config_.server) + r.body;
      out.close = true;
      co_return out;
    }
    const http::RequestHead& head = *request.head;
    AppRequest req;
    req.method = std::string(head.method);
    const std::string_view target = head.target;
    const auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.fields = http::Fields(head.fields);
    req.peer = conn_.peer();
    req.body = std::move(request.body);
    const bool head_only = head.method_id == http::Method::head;
    AppResponse res = co_await app_.handle(req);
    const bool keep = request.keep_alive && !res.stream;
    out.bytes = render_response(res, keep, config_.server);
    if (!head_only && !res.stream) out.bytes += res.body;
    out.close = !keep;
    out.streams = res.stream && !head_only;
    stream_ = std::move(res.stream);
    co_return out;
  }

  awaitable<void> stream(core::Connection& conn) override {
    AppStream stream(conn, config_.send_timeout);
    co_await stream_(stream);
    std::string last;
    http::append_last_chunk(last);
    co_await write_all(conn, last, config_.send_timeout);
  }

 private:
  core::Connection& conn_;
  HttpApp& app_;
  const HttpAppConfig& config_;
  std::function<awaitable<void>(AppStream&)> stream_;
};

}  // namespace

awaitable<void> serve_http_app(core::Connection& conn, HttpApp& app, const HttpAppConfig& config) {
  http::ServerConnection::Options options;
  options.limits = config.limits;
  options.read_size = 8 * 1024;
  // Head (RFC 9112 §2.2): the idle deadline until the first byte, then one deadline for the whole request.
  const http::DriverTimeouts timeouts{.idle = config.idle_timeout,
                                      .head = config.header_timeout,
                                      .body_read = {},
                                      .send = config.send_timeout};
  http::ServerDriver driver(conn, options, timeouts);
  AppHandler handler(conn, app, config);
  co_await driver.run(handler);
}

}  // namespace endhost::lab
