// One webmail connection, built as the lab's dashboard server (src/lab/dashboard/http_app.cpp) is: heads
// parsed in place by http::RequestParser, bodies up to WebmailConfig::limits, one request at a time (keep-
// alive; browsers do not pipeline), every read under a deadline (the idle one before a request, the head's
// for its head, one per read of a body) and every write too. Each response gets the security headers here,
// so no route can forget them.
#include "core/byte_buffer.hpp"
#include "http/request_parser.hpp"
#include "http/serializer.hpp"
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

awaitable<void> serve_webmail(core::Connection& conn, Webmail& webmail) {
  const WebmailConfig& config = webmail.config();
  http::RequestParser parser(config.limits);
  core::ByteBuffer in(config.limits.max_head_bytes + static_cast<std::size_t>(config.limits.max_body_size) +
                      16 * 1024);
  const asio::ip::address ip = peer_ip(conn);
  const std::string peer = ip.to_string();
  const bool loopback = ip.is_loopback();
  const bool tls = !conn.stream().is_plain();

  // The helpers take what they use as arguments: a lambda inside a coroutine does not capture the
  // coroutine's parameters (GCC 12 rule 4, docs/internals/core.md).
  auto read_more = [](core::Connection& c, core::ByteBuffer& buffer) -> awaitable<bool> {
    auto space = buffer.read_space();
    if (!space) co_return false;
    auto [ec, n] =
        co_await c.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (ec) co_return false;
    buffer.commit(n);
    co_return true;
  };

  for (;;) {
    bool idle = in.empty();
    if (idle) {
      if (!conn.begin_idle()) co_return;
      conn.expires_after(config.idle_timeout);
    } else {
      conn.expires_after(config.header_timeout);
    }
    std::size_t head_size = 0;
    std::optional<http::Error> failed;
    for (;;) {
      auto step = parser.parse_head(in.readable());
      if (!step) {
        failed = step.error();
        break;
      }
      if (step->progress == http::Progress::complete) {
        head_size = step->consumed;
        break;
      }
      const bool more = co_await read_more(conn, in);
      if (!more) {
        if (idle) conn.end_idle();
        co_return;
      }
      if (idle) {
        conn.end_idle();
        idle = false;
        conn.expires_after(config.header_timeout);
      }
    }
    if (idle) conn.end_idle();
    if (failed) {
      Response r = json_error(failed->status, http::reason_phrase(failed->status));
      std::string out = render_head(r, false) + r.body;
      co_await write_all(conn, out, config.send_timeout);
      co_return;
    }

    const http::RequestHead& head = parser.head();
    Request req;
    req.method = std::string(head.method);
    const std::string_view target = head.target;
    const auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.fields = http::Fields(head.fields);
    req.peer_address = peer;
    req.loopback_peer = loopback;
    req.tls = tls;
    const bool keep_alive = head.keep_alive;
    const bool head_only = head.method_id == http::Method::head;
    const bool expect_continue = head.expect_continue;
    in.consume(head_size);  // req owns copies of the head's views: the next read may move them

    if (expect_continue) {
      const bool continued = co_await write_all(conn, "HTTP/1.1 100 Continue\r\n\r\n", config.send_timeout);
      if (!continued) co_return;
    }
    std::optional<http::Error> body_failed;
    for (;;) {
      auto step = parser.parse_body(in.readable());
      if (!step) {
        body_failed = step.error();
        break;
      }
      req.body.append(step->data);
      in.consume(step->consumed);
      if (step->done) break;
      if (step->consumed == 0) {
        conn.expires_after(config.read_timeout);
        const bool more = co_await read_more(conn, in);
        if (!more) co_return;
      }
    }
    if (body_failed) {
      Response r = json_error(body_failed->status, http::reason_phrase(body_failed->status));
      std::string out = render_head(r, false) + r.body;
      co_await write_all(conn, out, config.send_timeout);
      co_return;
    }

    conn.expires_never();  // the handler's own work (the pool, the submission) has its own bounds
    Response res = co_await webmail.handle(req, conn.loop().index());
    const bool keep = keep_alive && !conn.draining() && !res.stream;
    std::string out = render_head(res, keep);
    if (!head_only && !res.stream) out += res.body;
    const bool written = co_await write_all(conn, out, config.send_timeout);
    if (!written) co_return;
    if (res.stream && !head_only) {
      co_await res.stream(conn);
      co_return;
    }
    if (!keep) co_return;
    parser.reset();
  }
}

awaitable<void> refuse_webmail(core::Connection& conn) {
  Response r = json_error(http::Status::service_unavailable, "too many connections: try again");
  r.fields.add("Retry-After", "5");
  std::string out = render_head(r, false) + r.body;
  co_await write_all(conn, out, std::chrono::seconds(5));
}

}  // namespace endhost::mail::webmail
