#include "lab/dashboard/http_app.hpp"

#include <array>

#include "http/server_driver.hpp"

namespace endhost::lab {

namespace {

// The answer to a request the parser rejected: its status, and close (the framing may be lost).
AppResponse error_response(const http::Error& e) {
  AppResponse r;
  r.status = e.status;
  r.body = std::string(http::reason_phrase(e.status)) + "\n";
  return r;
}

}  // namespace

awaitable<bool> AppStream::send(std::string_view data) {
  co_return co_await body_.send(data);
}

http::ServerResponse describe_response(AppResponse&& r, const std::string& server) {
  http::ServerResponse out;
  out.status = r.status;
  out.fields.add("Server", server);
  out.fields.add("Content-Type", r.content_type);
  // The pages show live state: never from a cache (the lab's own Web cache included).
  if (!r.fields.contains("Cache-Control")) out.fields.add("Cache-Control", "no-store");
  out.fields.add("X-Content-Type-Options", "nosniff");
  for (const http::Field& f : r.fields) out.fields.add(f.name, f.value);
  out.body = std::move(r.body);
  out.streams = static_cast<bool>(r.stream);
  return out;
}

namespace {

// Turns the driver's requests into AppRequests and the app's answers into bytes.
class AppHandler final : public http::ServerHandler {
 public:
  AppHandler(core::Connection& conn, HttpApp& app, const HttpAppConfig& config)
      : conn_(conn), app_(app), config_(config) {}

  awaitable<http::ServerResponse> handle(http::ServerRequest& request) override {
    if (request.error) {
      // The answer to a request the parser rejected: its status, and close (the framing may be lost).
      http::ServerResponse out = describe_response(error_response(*request.error), config_.server);
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
    AppResponse res = co_await app_.handle(req);
    stream_ = std::move(res.stream);
    http::ServerResponse out = describe_response(std::move(res), config_.server);
    out.streams = static_cast<bool>(stream_);
    co_return out;
  }

  awaitable<void> stream(http::BodyStream& body) override {
    AppStream stream(body);
    co_await stream_(stream);
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
