// One HTTP/1.1 request and its response over a pooled connection: the client engine shared by the proxy's
// upstream side and `endhost fetch`. The request goes out as prepared bytes; the response head is parsed
// with the codec's ResponseParser and the body is pulled piece by piece, so a caller can stream it on
// without holding it whole. Interim 1xx responses are shown in the transcript and skipped, or, for a caller
// that forwards them (a proxy, RFC 9110 §15.2), handed over one at a time (stop_at_interim).
//
// A request on a reused connection that fails before any response byte arrives is retried once on a new
// connection when it is idempotent (RFC 9112 §9.3.1: the server may have closed the idle connection just as
// we sent).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/transcript.hpp"
#include "http/client/client_error.hpp"
#include "http/client/connection_pool.hpp"
#include "http/limits.hpp"
#include "http/method.hpp"
#include "http/response_parser.hpp"

namespace endhost::http {

// Whether HttpClient speaks HTTP/2 (h2_origin.hpp): never; for https when the server picks h2 by ALPN
// (RFC 9113 §3.2), else HTTP/1.1; or also for http:// with prior knowledge (h2c, §3.3).
enum class Http2Mode : std::uint8_t { off, alpn, prior_knowledge };

struct ExchangeOptions {
  std::chrono::milliseconds response_timeout{30'000};  // request sent → response head complete
  std::chrono::milliseconds read_timeout{30'000};      // longest silence while reading the body
  Limits limits = Limits::for_responses();
  core::Transcript transcript;  // the request and response heads, when tracing
  Http2Mode http2 = Http2Mode::off;
};

class Exchange {
 public:
  Exchange(ConnectionPool& pool, const ExchangeOptions& options);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Sends `request` (head and body) to host:port and reads the final response head. With `tls`, over a
  // TLS connection (ConnectionPool::acquire).
  awaitable<Expected<void, ClientError>> start(const std::string& host, std::uint16_t port,
                                               std::string_view request, Method method, bool idempotent,
                                               const TlsTarget* tls = nullptr);

  // The response head: valid after start() succeeded and until the first read_body() (its views borrow the
  // connection's buffer). Copy what you need (head().to_owned()) before reading the body.
  const ResponseHead& head() const { return parser_.head(); }

  // With this set before start(), start() (and next_head()) also return at an interim response (1xx but
  // 101): head() is then that response and interim() is true; next_head() reads the one that follows.
  void stop_at_interim(bool on) { stop_at_interim_ = on; }
  bool interim() const { return interim_; }
  awaitable<Expected<void, ClientError>> next_head();
  bool reused() const { return reused_; }
  const std::string& peer() const;

  struct Piece {
    std::string_view data;  // valid until the next read_body()
    bool done = false;
  };
  // The next piece of the body (possibly empty with done == true). An error means the body is incomplete.
  awaitable<Expected<Piece, ClientError>> read_body();

  // After the body is done (or for a response without one): gives the connection back to the pool when the
  // response allows it, else closes it. An Exchange destroyed without finish() closes its connection.
  void finish();
  // Closes the connection now (the caller gave up on the response).
  void abandon();

 private:
  ConnectionPool& pool_;
  ExchangeOptions options_;
  ResponseParser parser_;
  std::unique_ptr<UpstreamConnection> conn_;
  std::size_t head_size_ = 0;
  std::size_t pending_ = 0;
  bool head_consumed_ = false;
  bool reused_ = false;
  bool stop_at_interim_ = false;
  bool interim_ = false;
  Method method_ = Method::get;
  // Reads response heads until a final one (or an interim one, with stop_at_interim_). `retry` is set when
  // the connection turned out dead before any byte (the caller may send again on a new one).
  awaitable<Expected<void, ClientError>> read_head(bool may_retry, bool& retry);
};

}  // namespace endhost::http
