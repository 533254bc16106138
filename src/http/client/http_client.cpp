#include "http/client/http_client.hpp"

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

awaitable<Expected<Incoming, ClientError>> HttpClient::perform(const Outgoing& request,
                                                               const HeadHandler& on_head,
                                                               const BodySink& on_body) {
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
