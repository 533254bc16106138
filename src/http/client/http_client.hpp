// The request engine of `endhost fetch`: one request (direct, or through an http proxy in absolute form),
// its response head handed to the caller, its body streamed to a sink. Connections are pooled per
// host:port, so consecutive requests to one server reuse a connection unless the caller asks for a
// non-persistent exchange. Redirects, cookies, decoding and output are the caller's (fetch.cpp, page.cpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "http/client/client_error.hpp"
#include "http/client/connection_pool.hpp"
#include "http/client/exchange.hpp"
#include "http/fields.hpp"
#include "http/message.hpp"
#include "http/url.hpp"

namespace endhost::http {

struct Outgoing {
  std::string method = "GET";
  Url url;
  Fields fields;  // everything but Host, Content-Length and Connection
  std::string body;
  std::optional<Url> proxy;  // send to this http proxy: http in absolute form, https through CONNECT
  bool keep_alive = true;    // false: "Connection: close", and the connection is never reused
};

struct Incoming {
  Response head;  // owned copy, body empty
  bool reused = false;
  std::string peer;
};

// Returns whether to read the body (false: the connection is closed instead).
using HeadHandler = std::function<bool(const Incoming&)>;
// Receives body pieces; returns false to stop (the connection is closed).
using BodySink = std::function<bool(std::string_view)>;

// Appends the request as it goes on the wire.
void append_outgoing(std::string& out, const Outgoing& request);

class H2Origin;

class HttpClient {
 public:
  // https:// URLs need pool.tls (core::TlsClientContext::make).
  HttpClient(asio::any_io_executor executor, const PoolOptions& pool, const ExchangeOptions& exchange);

  // The body is complete when this returns a value; an error after the head means a truncated body.
  awaitable<Expected<Incoming, ClientError>> perform(const Outgoing& request, const HeadHandler& on_head,
                                                     const BodySink& on_body);
  ConnectionPool& pool() { return pool_; }
  ~HttpClient();

 private:
  // The HTTP/2 connection for the request's origin (made and remembered on first use), or null when the
  // request goes over HTTP/1.1: --http2 off, a proxy, http:// without prior knowledge, or ALPN chose
  // http/1.1 (then the connection is left in the pool for the HTTP/1.1 exchange).
  awaitable<Expected<std::shared_ptr<H2Origin>, ClientError>> h2_origin(const Outgoing& request);

  ConnectionPool pool_;
  ExchangeOptions exchange_;
  std::unordered_map<std::string, std::shared_ptr<H2Origin>> h2_;
  std::unordered_map<std::string, bool> h2_refused_;  // origins whose ALPN chose http/1.1
  std::unordered_map<std::string, std::shared_ptr<asio::steady_timer>> h2_connecting_;
};

}  // namespace endhost::http
