// A small HTTP/1.1 server for the lab's own pages and APIs (the dashboard), on the HTTP codec: heads parsed
// in place by http::RequestParser, bodies up to a small limit, one request at a time per connection (keep-
// alive, no pipelining needed by browsers), responses described whole by an HttpApp and framed by
// http::ServerDriver — or streamed by it (Server-Sent Events), in which case the connection closes after.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/fields.hpp"
#include "http/limits.hpp"
#include "http/server_driver.hpp"
#include "http/status.hpp"

namespace endhost::lab {

struct AppRequest {
  std::string method;
  std::string path;   // the target's path, as sent (the apps only match fixed paths)
  std::string query;  // after '?', without it
  http::Fields fields;
  std::string body;
  std::string peer;
};

// Writes the pieces of a streamed response (framed by the driver's http::BodyStream: chunks for HTTP/1.1).
// send() returns false once the client is gone.
class AppStream {
 public:
  explicit AppStream(http::BodyStream& body) : body_(body) {}
  awaitable<bool> send(std::string_view data);
  core::Connection& connection() { return body_.connection(); }

 private:
  http::BodyStream& body_;
};

struct AppResponse {
  http::Status status = http::Status::ok;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  http::Fields fields;  // extra fields (Cache-Control, Allow…)
  // Set: the response is streamed (chunked) by this function after the head; the connection closes after.
  std::function<awaitable<void>(AppStream&)> stream;
};

class HttpApp {
 public:
  virtual ~HttpApp() = default;
  // Runs on the connection's loop. Must not throw for bad input: answer 4xx instead.
  virtual awaitable<AppResponse> handle(const AppRequest& request) = 0;
};

struct HttpAppConfig {
  http::Limits limits = [] {
    http::Limits l;
    l.max_body_size = 16 * 1024;  // the APIs take small JSON bodies only
    l.max_head_bytes = 16 * 1024;
    return l;
  }();
  std::chrono::milliseconds header_timeout{10'000};  // first byte of a request to the end of its body
  std::chrono::milliseconds idle_timeout{30'000};    // between requests
  std::chrono::milliseconds send_timeout{30'000};    // between two successful writes
  std::string server = "endhost-lab";
};

// One connection (TcpServerOptions::session). `app` and `config` outlive every connection.
awaitable<void> serve_http_app(core::Connection& conn, HttpApp& app, const HttpAppConfig& config);

// The app's answer as the driver's protocol-independent response (its fields after Server, Content-Type,
// Cache-Control: no-store unless the app gave one, and nosniff); http::ServerDriver frames it.
http::ServerResponse describe_response(AppResponse&& response, const std::string& server);

}  // namespace endhost::lab
