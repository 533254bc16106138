#include "http/client/http_client.hpp"

#include "http/client/h2_origin.hpp"
#include "http/serializer.hpp"

namespace endhost::http {

void append_outgoing(std::string& out, const Outgoing& r) {
  // RFC 9112 §3.2.2: to a proxy, the absolute form (without userinfo); to the origin, the origin form. An
  // https request goes to the origin through a CONNECT tunnel, so it is in origin form too.
  const bool absolute = r.proxy && r.url.scheme != "https";
  append_request_line(out, r.method, absolute ? r.url.to_string() : r.url.path_query, http11);
  append_field(out, "Host", r.url.authority());
  append_fields(out, r.fields);
  const Method m = method_from_token(r.method);
  if (!r.body.empty() || m == Method::post || m == Method::put || m == Method::patch)
    append_field(out, "Content-Length", std::to_string(r.body.size()));
  if (!r.keep_alive) append_field(out, "Connection", "close");
  append_end_of_head(out);
  out += r.body;
}

HttpClient::HttpClient(asio::any_io_executor executor, const PoolOptions& pool,
                       const ExchangeOptions& exchange)
    : pool_(std::move(executor), pool), exchange_(exchange) {}

HttpClient::~HttpClient() {
  for (auto& [key, origin] : h2_) origin->close();
}

awaitable<Expected<std::shared_ptr<H2Origin>, ClientError>> HttpClient::h2_origin(const Outgoing& request) {
  using Result = Expected<std::shared_ptr<H2Origin>, ClientError>;
  const bool https = request.url.scheme == "https";
  if (exchange_.http2 == Http2Mode::off || request.proxy ||
      (!https && exchange_.http2 != Http2Mode::prior_knowledge))
    co_return Result(std::shared_ptr<H2Origin>());
  const std::string key = request.url.scheme + "://" + request.url.authority();
  for (;;) {
    if (h2_refused_.contains(key)) co_return Result(std::shared_ptr<H2Origin>());
    if (auto it = h2_.find(key); it != h2_.end()) {
      if (it->second->usable()) co_return Result(it->second);
      h2_.erase(it);
    }
    // Concurrent requests to one origin (--page --mode h2) share the connection the first one makes.
    auto pending = h2_connecting_.find(key);
    if (pending == h2_connecting_.end()) break;
    std::shared_ptr<asio::steady_timer> signal = pending->second;
    auto [ec] = co_await signal->async_wait(use_nothrow);
    (void)ec;
  }
  auto executor = co_await asio::this_coro::executor;
  auto signal = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  h2_connecting_[key] = signal;
  std::optional<TlsTarget> tls;
  if (https) tls = TlsTarget{request.url.host, request.url.port, false, true};
  auto lease = co_await pool_.acquire(request.url.host, request.url.port, true, tls ? &*tls : nullptr);
  h2_connecting_.erase(key);
  signal->cancel();
  if (!lease) co_return Unexpected(lease.error());
  std::unique_ptr<UpstreamConnection> conn = std::move(lease->connection);
  if (https && conn->stream().tls_info().alpn != "h2") {
    // RFC 9113 §3.2: no h2 from ALPN: this origin speaks HTTP/1.1 on this connection.
    exchange_.transcript.note(conn->peer(), "ALPN: the server chose http/1.1");
    h2_refused_[key] = true;
    pool_.release(std::move(conn));
    co_return Result(std::shared_ptr<H2Origin>());
  }
  auto origin = std::make_shared<H2Origin>(std::move(conn), exchange_);
  origin->start();
  h2_[key] = origin;
  co_return Result(origin);
}

awaitable<Expected<Incoming, ClientError>> HttpClient::perform(const Outgoing& request,
                                                               const HeadHandler& on_head,
                                                               const BodySink& on_body) {
  auto h2 = co_await h2_origin(request);
  if (!h2) co_return Unexpected(h2.error());
  if (*h2) {
    std::shared_ptr<H2Origin> origin = *h2;
    auto done = co_await origin->perform(request, on_head, on_body);
    co_return done;
  }
  std::string bytes;
  append_outgoing(bytes, request);
  const std::string& host = request.proxy ? request.proxy->host : request.url.host;
  const std::uint16_t port = request.proxy ? request.proxy->port : request.url.port;
  const Method method = method_from_token(request.method);
  // RFC 9110 §9.2.2: retrying on a fresh connection is safe for idempotent methods only.
  const bool idempotent = method == Method::get || method == Method::head || method == Method::options ||
                          method == Method::put || method == Method::delete_ || method == Method::trace;
  std::optional<TlsTarget> tls;
  if (request.url.scheme == "https")
    tls = TlsTarget{request.url.host, request.url.port, request.proxy.has_value()};
  Exchange ex(pool_, exchange_);
  auto started = co_await ex.start(host, port, bytes, method, idempotent, tls ? &*tls : nullptr);
  if (!started) co_return Unexpected(started.error());
  Incoming in;
  in.head = ex.head().to_owned();
  in.reused = ex.reused();
  in.peer = ex.peer();
  if (on_head && !on_head(in)) {
    ex.abandon();
    co_return in;
  }
  for (;;) {
    auto piece = co_await ex.read_body();
    if (!piece) co_return Unexpected(piece.error());
    if (!piece->data.empty() && on_body && !on_body(piece->data)) {
      ex.abandon();
      co_return in;
    }
    if (piece->done) break;
  }
  if (request.keep_alive)
    ex.finish();
  else
    ex.abandon();
  co_return in;
}

}  // namespace endhost::http
