#include "lab/dashboard/http_app.hpp"

#include <array>

#include "core/byte_buffer.hpp"
#include "http/request_parser.hpp"
#include "http/serializer.hpp"

namespace endhost::lab {

namespace {

awaitable<bool> write_all(core::Connection& conn, std::string_view data, std::chrono::milliseconds timeout) {
  conn.expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(conn.stream(), asio::buffer(data.data(), data.size()), use_nothrow);
  (void)n;
  co_return !ec;
}

// The answer to a request the parser rejected: its status, and close (the framing may be lost).
AppResponse error_response(const http::Error& e) {
  AppResponse r;
  r.status = e.status;
  r.body = std::string(http::reason_phrase(e.status)) + "\n";
  return r;
}

}  // namespace

awaitable<bool> AppStream::send(std::string_view data) {
  buf_.clear();
  http::append_chunk(buf_, data);
  if (buf_.empty()) co_return true;
  co_return co_await write_all(conn_, buf_, send_timeout_);
}

std::string render_response(const AppResponse& r, bool keep_alive, const std::string& server) {
  std::string out;
  out.reserve(256 + r.body.size());
  http::append_status_line(out, http::http11, r.status);
  http::append_field(out, "Server", server);
  http::append_field(out, "Content-Type", r.content_type);
  if (!r.stream) http::append_field(out, "Content-Length", std::to_string(r.body.size()));
  if (r.stream) http::append_field(out, "Transfer-Encoding", "chunked");
  // The pages show live state: never from a cache (the lab's own Web cache included).
  if (!r.fields.contains("Cache-Control")) http::append_field(out, "Cache-Control", "no-store");
  http::append_field(out, "X-Content-Type-Options", "nosniff");
  if (!keep_alive) http::append_field(out, "Connection", "close");
  http::append_fields(out, r.fields);
  http::append_end_of_head(out);
  return out;
}

awaitable<void> serve_http_app(core::Connection& conn, HttpApp& app, const HttpAppConfig& config) {
  http::RequestParser parser(config.limits);
  // Never more than a full head and a full body (plus a read) in memory per connection.
  core::ByteBuffer in(config.limits.max_head_bytes + config.limits.max_body_size + 8 * 1024);

  // The helpers take the connection and the config as arguments: a lambda inside a coroutine does not
  // capture the coroutine's parameters (GCC 12 rule 4, docs/internals/core.md).
  auto read_more = [](core::Connection& c, core::ByteBuffer& buffer) -> awaitable<bool> {
    auto space = buffer.read_space();
    if (!space) co_return false;
    auto [ec, n] =
        co_await c.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (ec) co_return false;
    buffer.commit(n);
    co_return true;
  };
  auto fail = [](core::Connection& c, const HttpAppConfig& cfg, const http::Error& e) -> awaitable<void> {
    AppResponse r = error_response(e);
    std::string out = render_response(r, false, cfg.server) + r.body;
    co_await write_all(c, out, cfg.send_timeout);
  };

  for (;;) {
    // Head (RFC 9112 §2.2): the idle deadline until the first byte, then one deadline for the whole request.
    bool idle = in.empty();
    if (idle) {
      if (!conn.begin_idle()) co_return;
      conn.expires_after(config.idle_timeout);
    } else {
      conn.expires_after(config.header_timeout);
    }
    std::size_t head_size = 0;
    for (;;) {
      auto step = parser.parse_head(in.readable());
      if (!step) {
        if (idle) conn.end_idle();
        co_await fail(conn, config, step.error());
        co_return;
      }
      if (step->progress == http::Progress::complete) {
        head_size = step->consumed;
        break;
      }
      const bool more = co_await read_more(conn, in);
      if (!more) co_return;
      if (idle) {
        conn.end_idle();
        idle = false;
        conn.expires_after(config.header_timeout);
      }
    }
    if (idle) conn.end_idle();

    const http::RequestHead& head = parser.head();
    AppRequest req;
    req.method = std::string(head.method);
    std::string_view target = head.target;
    auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.fields = http::Fields(head.fields);
    req.peer = conn.peer();
    const bool keep_alive = head.keep_alive;
    const bool head_only = head.method_id == http::Method::head;
    const bool expect_continue = head.expect_continue;
    in.consume(head_size);  // req owns copies of the head's views: the next read may move them

    // Body: Content-Length or chunked, bounded by limits.max_body_size (the parser answers 413 above it).
    if (expect_continue) {
      const bool continued = co_await write_all(conn, "HTTP/1.1 100 Continue\r\n\r\n", config.send_timeout);
      if (!continued) co_return;
    }
    for (;;) {
      auto step = parser.parse_body(in.readable());
      if (!step) {
        co_await fail(conn, config, step.error());
        co_return;
      }
      req.body.append(step->data);
      in.consume(step->consumed);
      if (step->done) break;
      // A step may stop at a chunk boundary with more already buffered: read only when it consumed nothing.
      if (step->consumed == 0) {
        const bool more = co_await read_more(conn, in);
        if (!more) co_return;
      }
    }

    AppResponse res = co_await app.handle(req);
    const bool keep = keep_alive && !conn.draining() && !res.stream;
    std::string out = render_response(res, keep, config.server);
    if (!head_only && !res.stream) out += res.body;
    const bool written = co_await write_all(conn, out, config.send_timeout);
    if (!written) co_return;
    if (res.stream && !head_only) {
      AppStream stream(conn, config.send_timeout);
      co_await res.stream(stream);
      std::string last;
      http::append_last_chunk(last);
      co_await write_all(conn, last, config.send_timeout);
      co_return;
    }
    if (!keep) co_return;
    parser.reset();
  }
}

}  // namespace endhost::lab
