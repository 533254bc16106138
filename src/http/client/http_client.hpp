// The request engine of `endhost fetch`: one request (direct, or through an http proxy in absolute form),
// its response head handed to the caller, its body streamed to a sink. Connections are pooled per
// host:port, so consecutive requests to one server reuse a connection unless the caller asks for a
// non-persistent exchange. Redirects, cookies, decoding and output are the caller's (fetch.cpp, page.cpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

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

class HttpClient {
 public:
  // https:// URLs need pool.tls (make_tls_context).
  HttpClient(asio::any_io_executor executor, const PoolOptions& pool, const ExchangeOptions& exchange);

  // The body is complete when this returns a value; an error after the head means a truncated body.
  awaitable<Expected<Incoming, ClientError>> perform(const Outgoing& request, const HeadHandler& on_head,
                                                     const BodySink& on_body);
  ConnectionPool& pool() { return pool_; }

 private:
  ConnectionPool pool_;
  ExchangeOptions exchange_;
};

}  // namespace endhost::http
