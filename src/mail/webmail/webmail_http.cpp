// One webmail connection, on http::ServerDriver as the lab's dashboard server is: bodies up to
// WebmailConfig::limits, one request at a time (keep-alive, pipelined requests queued), every read under a
// deadline (the idle one before a request, the head's for its head, one per read of a body) and every write
// too. Each response gets the security headers here,
// so no route can forget them.
#include <ctime>

#include "core/address_acl_asio.hpp"
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

// The application's answer as the driver's protocol-independent response, with the security headers that
// every response gets here, so that no route can forget them.
http::ServerResponse describe(Response&& r) {
  http::ServerResponse out;
  out.status = r.status;
  out.fields.add("Server", "endhost-webmail");
  out.fields.add("Content-Type", r.content_type);
  out.fields.add("Cache-Control", "no-store");  // mail is private: no cache keeps it
  out.fields.add("X-Content-Type-Options", "nosniff");
  out.fields.add("Referrer-Policy", "no-referrer");
  out.fields.add("Cross-Origin-Resource-Policy", "same-origin");
  out.fields.add("Content-Security-Policy", r.csp.empty() ? kAppPolicy : std::string_view(r.csp));
  out.fields.add("X-Frame-Options", r.framable ? "SAMEORIGIN" : "DENY");
  for (const http::Field& f : r.fields) out.fields.add(f.name, f.value);
  out.body = std::move(r.body);
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
    trusted_ = ip.is_loopback() || core::allows(webmail.config().trusted_networks, ip);
    tls_ = !conn.stream().is_plain();
  }

  awaitable<http::ServerResponse> handle(http::ServerRequest& request) override {
    if (request.error) {
      http::ServerResponse out =
          describe(json_error(request.error->status, http::reason_phrase(request.error->status)));
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
    req.trusted_peer = trusted_;
    req.tls = tls_;
    req.body = std::move(request.body);
    Response res = co_await webmail_.handle(req, conn_.loop().index());
    stream_ = std::move(res.stream);
    http::ServerResponse out = describe(std::move(res));
    out.streams = static_cast<bool>(stream_);
    co_return out;
  }

  awaitable<void> stream(http::BodyStream& body) override { co_await stream_(body); }

 private:
  core::Connection& conn_;
  Webmail& webmail_;
  std::string peer_;
  bool trusted_ = false;  // loopback or --trusted-networks, decided once per connection
  bool tls_ = false;
  std::function<awaitable<void>(http::BodyStream&)> stream_;
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
  http::DateCache date;
  http::ResponseFraming framing;
  framing.keep_alive = false;
  framing.date = date.get(std::time(nullptr));
  std::string out;
  http::serialize_response(out, describe(std::move(r)), framing);
  co_await write_all(conn, out, std::chrono::seconds(5));
}

}  // namespace endhost::mail::webmail
