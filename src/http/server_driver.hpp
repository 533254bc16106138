// ServerDriver: the one socket loop of an HTTP/1 server connection. It reads under the connection's
// deadlines, feeds a ServerConnection (server_connection.hpp), gathers each request's body, hands the request
// to a ServerHandler, frames the handler's ServerResponse (serialize_response) and applies the close policy.
// Everything HTTP/1 decides (framing, keep-alive, pipelining, drain, 100-continue) is the ServerConnection's
// and serialize_response's; this file only moves bytes and keeps time. Used by the admin listeners, the lab's
// dashboard and the webmail.
#pragma once

#include <chrono>
#include <string>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/date.hpp"
#include "http/server_connection.hpp"
#include "http/server_response.hpp"

namespace endhost::http {

struct DriverTimeouts {
  std::chrono::milliseconds idle{30'000};  // between requests, until a first byte of the next
  std::chrono::milliseconds head{10'000};  // from a request's first byte to the end of its head
  // 0: the head's deadline runs on until the body's end; else a deadline for each read of the body.
  std::chrono::milliseconds body_read{0};
  std::chrono::milliseconds send{30'000};  // each write
};

struct ServerRequest {
  const RequestHead* head = nullptr;  // null after an error that lost the head
  const Error* error = nullptr;       // set: the request was invalid; answer error->status
  std::string body;                   // the whole body (at most Limits::max_body_size bytes)
  // Whether the response may keep the connection open (false: say "Connection: close"). False once the
  // server drains (core::Connection::draining).
  bool keep_alive = false;
};

// The content of a streamed response (ServerResponse::streams), for ServerHandler::stream(): each send()
// goes out at once under the send deadline, framed as the request's version allows: one chunk for HTTP/1.1
// (RFC 9112 §7.1), the bytes themselves for HTTP/1.0, whose end is the connection's close (§6.3). The
// driver writes the last chunk after stream() returns.
class BodyStream {
 public:
  BodyStream(core::Connection& conn, bool chunked, std::chrono::milliseconds send_timeout)
      : conn_(conn), chunked_(chunked), send_timeout_(send_timeout) {}
  // False once the client is gone or too slow; every later send() is false too.
  awaitable<bool> send(std::string_view data);
  // The end of the content; nothing after a failed send().
  awaitable<bool> finish();
  // For what a stream watches besides writing: draining(), its loop.
  core::Connection& connection() { return conn_; }

 private:
  awaitable<bool> write(std::string_view bytes);

  core::Connection& conn_;
  bool chunked_;
  std::chrono::milliseconds send_timeout_;
  bool ok_ = true;
  std::string buf_;
};

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  // The answer, described (server_response.hpp): the driver frames it.
  virtual awaitable<ServerResponse> handle(ServerRequest& request) = 0;
  // Called after the head of a response with `streams` was written (never for HEAD).
  virtual awaitable<void> stream(BodyStream&) { co_return; }
};

class ServerDriver {
 public:
  ServerDriver(core::Connection& conn, const ServerConnection::Options& options,
               const DriverTimeouts& timeouts)
      : conn_(conn), http_(options), timeouts_(timeouts) {}

  // Serves requests until the connection closes (by policy, the peer, a deadline or the server's drain).
  awaitable<void> run(ServerHandler& handler);

  ServerConnection& connection() { return http_; }

 private:
  // One read into the ServerConnection; false: stop (error or deadline; end of input is fed, not false).
  awaitable<bool> read();
  awaitable<bool> write(std::string_view bytes);

  core::Connection& conn_;
  ServerConnection http_;
  DriverTimeouts timeouts_;
  bool in_body_ = false;       // between a head and the response
  bool deadline_set_ = false;  // the current request's head (or body) deadline is running
  DateCache date_;
  std::string out_;  // the response being written, its capacity kept
};

}  // namespace endhost::http
