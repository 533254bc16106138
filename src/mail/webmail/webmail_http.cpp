// One webmail connection, on http::ServerDriver as the lab's dashboard server is: bodies up to
// WebmailConfig::limits, one request at a time (keep-alive, pipelined requests queued), every read under a
// deadline (the idle one before a request, the head's for its head, one per read of a body) and every write
// too. Each response gets the security headers here,
// so no route can forget them.
#include "http/serializer.hpp"
#include "http/server_driver.hpp"
#include "mail/webmail/replies.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::webmail {

namespace {

// The application's page: script and style only from us (no inline script, no inline style), images from
// us or inline, frames only our own message frame, never framed itself.
constexpr std::string_view kAppPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

awaitable<bool> write_all(core::Connection& conn, std::string_view data, std::chrono::milliseconds timeout) {
  conn.expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(conn.stream(), asio::buffer(data.data(), data.size()), use_nothrow);
  (void)n;
  co_return !ec;
}

std::string render_head(const Response& r, bool keep_alive) {
  std::string out;
  out.reserve(512);
  http::append_status_line(out, http::http11, r.status);
  http::append_field(out, "Server", "endhost-webmail");
  http::append_field(out, "Content-Type", r.content_type);
  if (r.stream) {
    http::append_field(out, "Transfer-Encoding", "chunked");
  } else {
    http::append_field(out, "Content-Length", std::to_string(r.body.size()));
  }
  http::append_field(out, "Cache-Control", "no-store");  // mail is private: no cache keeps it
  http::append_field(out, "X-Content-Type-Options", "nosniff");
  http::append_field(out, "Referrer-Policy", "no-referrer");
  http::append_field(out, "Cross-Origin-Resource-Policy", "same-origin");
  http::append_field(out, "Content-Security-Policy", r.csp.empty() ? kAppPolicy : std::string_view(r.csp));
  http::append_field(out, "X-Frame-Options", r.framable ? "SAMEORIGIN" : "DENY");
  if (!keep_alive) http::append_field(out, "Connection", "close");
  http::append_fields(out, r.fields);
  http::append_end_of_head(out);
  return out;
}

asio::ip::address peer_ip(const core::Connection& conn) {
  asio::ip::address a = conn.remote().address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

}  // namespace

namespace {

class WebmailHandler final : public http::ServerHandler {
 public:
  WebmailHandler(core::Connection& conn, Webmail& webmail) : conn_(conn), webmail_(webmail) {
    const asio::ip::address ip = peer_ip(conn);
    peer_ = ip.to_string();
    loopback_ = ip.is_loopback();
    tls_ = !conn.stream().is_plain();
  }

  awaitable<http::ServerResponse> handle(http::ServerRequest& request) override {
    http::ServerResponse out;
    if (request.error) {
      const Response r = json_error(request.error->status, http::reason_phrase(request.error->status));
      out.bytes = render_head(r, false) + r.body;
      out.close = true;
      co_return out;
    }
    const http::RequestHead& head = *request.head;
    Request req;
    req.method = std::string(head.method);
    const std::string_view target = head.target;
    const auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.fields = http::Fields(head.fields);
    req.peer_address = peer_;
    req.loopback_peer = loopback_;
    req.tls = tls_;
    req.body = std::move(request.body);
    const bool head_only = head.method_id == http::Method::head;
    Response res = co_await webmail_.handle(req, conn_.loop().index());
    const bool keep = request.keep_alive && !res.stream;
    out.bytes = render_head(res, keep);
    if (!head_only && !res.stream) out.bytes += res.body;
    out.close = !keep;
    out.streams = res.stream && !head_only;
    stream_ = std::move(res.stream);
    co_return out;
  }

  awaitable<void> stream(core::Connection& conn) override { co_await stream_(conn); }

 private:
  core::Connection& conn_;
  Webmail& webmail_;
  std::string peer_;
  bool loopback_ = false;
  bool tls_ = false;
  std::function<awaitable<void>(core::Connection&)> stream_;
};

}  // namespace

awaitable<void> serve_webmail(core::Connection& conn, Webmail& webmail) {
  const WebmailConfig& config = webmail.config();
  http::ServerConnection::Options options;
  options.limits = config.limits;
  const http::DriverTimeouts timeouts{.idle = config.idle_timeout,
                                      .head = config.header_timeout,
                                      .body_read = config.read_timeout,
                                      .send = config.send_timeout};
  http::ServerDriver driver(conn, options, timeouts);
  WebmailHandler handler(conn, webmail);
  co_await driver.run(handler);
}

awaitable<void> refuse_webmail(core::Connection& conn) {
  Response r = json_error(http::Status::service_unavailable, "too many connections: try again");
  r.fields.add("Retry-After", "5");
  std::string out = render_head(r, false) + r.body;
  co_await write_all(conn, out, std::chrono::seconds(5));
}

}  // namespace endhost::mail::webmail
