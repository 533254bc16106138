#include "http/server/http_session.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "http/serializer.hpp"
#include "http/server/replies.hpp"
#include "http/server/response.hpp"
#include "http/server/static_handler.hpp"

namespace endhost::web {

namespace {

using Clock = std::chrono::steady_clock;

// Bytes a single connection may send in one turn of the event loop before it lets the others run.
constexpr std::uint64_t kFairShare = 4 << 20;
// Responses accumulate while pipelined requests are answered; past this size they go out first.
constexpr std::size_t kOutFlushThreshold = 64 * 1024;
// File bytes read and compressed at a time by --compress.
constexpr std::size_t kGzipBlock = 32 * 1024;

// The head of a request whose line or fields could not be parsed (must_close errors): nothing of it is
// trusted, so replies use HTTP/1.1 defaults.
const http::RequestHead kNoHead{};

constexpr std::string_view kReadOnlyAllow = "GET, HEAD, OPTIONS";

class HttpSession {
 public:
  HttpSession(ServerState& server, core::Connection& conn)
      : srv_(server),
        cfg_(server.config),
        loop_(*server.loops[conn.loop().index()]),
        conn_(conn),
        fd_(conn.socket().native_handle()) {}
  ~HttpSession() {
    if (w_) {
      w_->out.clear();
      srv_.give_work(loop_, std::move(w_));
    }
  }

  awaitable<void> run();

 private:
  enum class ReadResult : std::uint8_t { data, eof, timeout, closed };
  enum class Next : std::uint8_t { proceed, close, abort };

  std::string_view buffered() const { return {w_->in.get() + begin_, end_ - begin_}; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void ensure_work() {
    if (!w_) w_ = srv_.take_work(loop_);
  }

  awaitable<ReadResult> read_more(bool idle);
  bool try_send(int flags);
  awaitable<bool> send_out(int flags = 0);
  awaitable<bool> send_file(int file, std::uint64_t offset, std::uint64_t length);
  awaitable<bool> send_pending(Reply& reply);
  awaitable<bool> send_gzip(int file, std::uint64_t size);
  awaitable<bool> drain_body();
  awaitable<void> close_gracefully();

  Next on_parse_error(const http::Error& error, Reply& reply);
  void handle(RequestContext& rq, Reply& reply);
  const Site* select_site(std::string_view host) const;
  void trace_request(std::string_view head_bytes);
  void trace_response(std::size_t out_mark);
  void finish_request(const Reply& reply, Clock::time_point started);

  ServerState& srv_;
  const WebConfig& cfg_;
  LoopState& loop_;
  core::Connection& conn_;
  int fd_;
  std::unique_ptr<Work> w_;
  std::size_t begin_ = 0, end_ = 0;  // unconsumed bytes of w_->in
  std::size_t sent_ = 0;             // bytes of w_->out already sent
  std::size_t served_ = 0;           // requests on this connection
  bool eof_ = false;                 // the client half-closed: answer what is buffered, then close
  bool failed_ = false;              // a send failed: the connection is unusable
};

awaitable<HttpSession::ReadResult> HttpSession::read_more(bool idle) {
  for (;;) {
    ensure_work();
    if (begin_ > 0 && end_ == w_->in_capacity) {
      std::memmove(w_->in.get(), w_->in.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == w_->in_capacity)
      co_return ReadResult::closed;  // cannot happen: the parser's limits are lower
    const ssize_t n = ::recv(fd_, w_->in.get() + end_, w_->in_capacity - end_, 0);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      srv_.metrics.bytes_received->inc(static_cast<std::uint64_t>(n), loop_.index);
      co_return ReadResult::data;
    }
    if (n == 0) {
      eof_ = true;
      co_return ReadResult::eof;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return ReadResult::closed;
    // Nothing to read yet. Answers already built go out before we wait, or a pipelining client that waits
    // for them would deadlock with us. Sending may suspend, so look at the socket again afterwards: the
    // reactor is edge-triggered and a readiness edge seen while no wait was queued is not reported again.
    if (!w_->out.empty()) {
      if (!co_await send_out()) co_return ReadResult::closed;
      continue;
    }
    if (idle) {
      // Between requests: give the buffers back, so idle keep-alive connections cost almost nothing.
      if (begin_ == end_) {
        w_->parser.reset();
        srv_.give_work(loop_, std::move(w_));
      }
      if (!conn_.begin_idle()) co_return ReadResult::closed;  // the server is draining
      conn_.expires_after(cfg_.keepalive_timeout);
    }
    auto [ec] = co_await conn_.socket().async_wait(asio::ip::tcp::socket::wait_read, use_nothrow);
    if (idle) conn_.end_idle();
    if (ec) co_return conn_.timed_out() ? ReadResult::timeout : ReadResult::closed;
  }
}

bool HttpSession::try_send(int flags) {
  std::string& out = w_->out;
  while (sent_ < out.size()) {
    const ssize_t n = ::send(fd_, out.data() + sent_, out.size() - sent_, MSG_NOSIGNAL | flags);
    if (n >= 0) {
      sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) failed_ = true;
    return false;
  }
  srv_.metrics.bytes_sent->inc(out.size(), loop_.index);
  out.clear();
  sent_ = 0;
  return true;
}

awaitable<bool> HttpSession::send_out(int flags) {
  while (!try_send(flags)) {
    if (failed_) co_return false;
    conn_.expires_after(cfg_.send_timeout);
    auto [ec] = co_await conn_.socket().async_wait(asio::ip::tcp::socket::wait_write, use_nothrow);
    if (ec) co_return false;
  }
  co_return true;
}

awaitable<bool> HttpSession::send_file(int file, std::uint64_t offset, std::uint64_t length) {
  std::uint64_t this_turn = 0;
  while (length > 0) {
    off_t off = static_cast<off_t>(offset);
    const ssize_t n =
        ::sendfile(fd_, file, &off, static_cast<std::size_t>(std::min<std::uint64_t>(length, 1 << 30)));
    if (n > 0) {
      offset += static_cast<std::uint64_t>(n);
      length -= static_cast<std::uint64_t>(n);
      srv_.metrics.bytes_sent->inc(static_cast<std::uint64_t>(n), loop_.index);
      this_turn += static_cast<std::uint64_t>(n);
      if (this_turn >= kFairShare && length > 0) {
        // A fast reader could keep us here for the whole file; let the loop's other connections run.
        this_turn = 0;
        co_await asio::post(conn_.loop().io(), asio::use_awaitable);
      }
      continue;
    }
    // The file shrank under us: the Content-Length already sent can no longer be honoured, so the only
    // correct end is closing the connection (RFC 9112 §6.3: the client sees an incomplete message).
    if (n == 0) co_return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
    conn_.expires_after(cfg_.send_timeout);
    this_turn = 0;
    auto [ec] = co_await conn_.socket().async_wait(asio::ip::tcp::socket::wait_write, use_nothrow);
    if (ec) co_return false;
  }
  co_return true;
}

awaitable<bool> HttpSession::send_pending(Reply& reply) {
  PendingBody& body = reply.body;
  switch (body.kind) {
    case PendingBody::Kind::none:
      co_return true;
    case PendingBody::Kind::file:
      // MSG_MORE: the head waits for the first file bytes, so a small response leaves in one segment.
      if (!co_await send_out(MSG_MORE)) co_return false;
      co_return co_await send_file(body.file.get(), body.offset, body.length);
    case PendingBody::Kind::byteranges:
      for (const auto& part : body.parts->parts) {
        w_->out += part.header;
        if (!co_await send_out(MSG_MORE)) co_return false;
        if (!co_await send_file(body.file.get(), part.range.first, part.range.length())) co_return false;
      }
      w_->out += body.parts->trailer;
      co_return co_await send_out();
    case PendingBody::Kind::gzip:
      co_return co_await send_gzip(body.file.get(), body.length);
  }
  co_return false;
}

awaitable<bool> HttpSession::send_gzip(int file, std::uint64_t size) {
  // Read, deflate and send in blocks, as chunks (RFC 9112 §7.1): memory stays at one block and the zlib
  // state however large the file. A read error ends the connection: the chunked body cannot be finished.
  std::unique_ptr<GzipStream> z = loop_.gzip.take();
  if (!z->ok()) co_return false;
  std::string& block = w_->body;
  std::string& packed = w_->scratch;
  std::uint64_t offset = 0;
  bool ok = true;
  for (;;) {
    block.resize(kGzipBlock);
    const ssize_t n = ::pread(file, block.data(), block.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    block.resize(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
    const bool last = n == 0 || offset >= size;
    packed.clear();
    if (!z->write(block, packed, last)) {
      ok = false;
      break;
    }
    http::append_chunk(w_->out, packed);
    if (last) {
      http::append_last_chunk(w_->out);
      break;
    }
    if (w_->out.size() >= kGzipBlock && !co_await send_out()) {
      ok = false;
      break;
    }
  }
  loop_.gzip.give(std::move(z));
  co_return ok;
}

awaitable<bool> HttpSession::drain_body() {
  // The body of a request whose handler did not want it (GET with a body, a refused upload) is read and
  // dropped so the next request on the connection starts where it should.
  std::uint64_t dropped = 0;
  for (;;) {
    auto step = w_->parser.parse_body(buffered());
    if (!step) co_return false;
    consume(step->consumed);
    dropped += step->data.size();
    if (step->done) co_return true;
    if (dropped > cfg_.limits.max_body_size) co_return false;
    if (begin_ == end_) {
      if (eof_) co_return false;
      conn_.expires_after(cfg_.body_timeout);
      if (co_await read_more(false) != ReadResult::data) co_return false;
    }
  }
}

awaitable<void> HttpSession::close_gracefully() {
  if (w_ && !w_->out.empty() && !co_await send_out()) co_return;
  // Half-close, then read and drop what the client may still be sending (pipelined requests, the rest of a
  // refused body) until it closes too: closing with unread data would make the kernel send a reset, and a
  // reset can destroy our last response in the client's receive buffer before it reads it (RFC 9112 §9.6).
  ::shutdown(fd_, SHUT_WR);
  if (eof_) co_return;
  conn_.expires_after(cfg_.linger_timeout);
  std::uint64_t dropped = 0;
  while (dropped < cfg_.linger_max_bytes) {
    begin_ = end_ = 0;
    const ReadResult r = co_await read_more(false);
    if (r != ReadResult::data) break;
    dropped += end_;
  }
}

const Site* HttpSession::select_site(std::string_view host) const {
  // Host is uri-host [":" port] (RFC 9110 §7.2); names compare case-insensitively, and a trailing dot names
  // the same host.
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const Site* fallback = nullptr;
  for (const Site& site : cfg_.sites) {
    if (site.host.empty()) {
      fallback = &site;
    } else if (http::iequals(site.host, host)) {
      return &site;
    }
  }
  return fallback;
}

void HttpSession::trace_request(std::string_view head_bytes) {
  if (!cfg_.transcript.enabled()) return;
  while (head_bytes.size() >= 2 && head_bytes.substr(head_bytes.size() - 2) == "\r\n")
    head_bytes.remove_suffix(2);
  cfg_.transcript.client(conn_.peer(), head_bytes);
}

void HttpSession::trace_response(std::size_t out_mark) {
  if (!cfg_.transcript.enabled()) return;
  const std::string_view out = std::string_view(w_->out).substr(out_mark);
  const std::size_t end = out.find("\r\n\r\n");
  cfg_.transcript.server(conn_.peer(), out.substr(0, end));
}

void HttpSession::finish_request(const Reply& reply, Clock::time_point started) {
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  srv_.metrics.response(http::to_int(reply.status), seconds, loop_.index);
}

HttpSession::Next HttpSession::on_parse_error(const http::Error& error, Reply& reply) {
  // A must_close error leaves nothing of the head trustworthy; otherwise (Host and Expect problems) the head
  // is valid and its body can be drained, so the connection may carry on.
  const http::RequestHead& head = error.must_close ? kNoHead : w_->parser.head();
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  reply.keep_alive = !error.must_close && head.keep_alive && !conn_.draining();
  // A request that announced a body with Expect: 100-continue and got no 100 may or may not send it now;
  // only closing keeps the framing certain.
  if (!error.must_close && head.expect_continue && head.framing.kind != http::BodyKind::none)
    reply.keep_alive = false;
  const std::size_t mark = w_->out.size();
  reply_error(rq, reply, error.status, http::describe(error.code));
  if (cfg_.transcript.enabled()) {
    std::string_view line = buffered().substr(0, std::min<std::size_t>(buffered().find('\n'), 200));
    cfg_.transcript.client(conn_.peer(), line);
    trace_response(mark);
  }
  if (error.must_close) return Next::close;
  consume(w_->parser.head_size());
  return reply.keep_alive ? Next::proceed : Next::close;
}

void HttpSession::handle(RequestContext& rq, Reply& reply) {
  const http::RequestHead& head = rq.head;
  switch (head.method_id) {
    case http::Method::unknown:
      // RFC 9110 §15.6.2: a method the server does not implement.
      return reply_error(rq, reply, http::Status::not_implemented);
    case http::Method::options:
      // RFC 9110 §9.3.7: OPTIONS * asks about the server, OPTIONS /path about one resource.
      return reply_options(rq, reply, kReadOnlyAllow);
    case http::Method::get:
    case http::Method::head:
      break;
    default: {
      // A method we know but do not allow here (RFC 9110 §15.5.6): 405 with the methods that are.
      std::string& extra = rq.work.scratch;
      extra = "Allow: ";
      extra += kReadOnlyAllow;
      extra += "\r\n";
      return reply_error(rq, reply, http::Status::method_not_allowed, {}, extra);
    }
  }
  if (head.target_form == http::TargetForm::asterisk)
    return reply_error(rq, reply, http::Status::bad_request);
  auto info = resolve_path(rq.path, rq.work.local);
  if (!info) {
    const http::Status status =
        info.error() == PathError::too_long ? http::Status::uri_too_long : http::Status::bad_request;
    return reply_error(rq, reply, status, describe(info.error()));
  }
  rq.path_info = *info;
  serve_static(rq, reply);
}

awaitable<void> HttpSession::run() {
  boost::system::error_code ignored;
  conn_.socket().non_blocking(true, ignored);
  srv_.metrics.open_connections->add(1, loop_.index);
  cfg_.transcript.note(conn_.peer(), "connection opened");
  Next next = Next::proceed;
  while (next == Next::proceed) {
    if (!w_ || begin_ == end_) {
      // Everything received has been answered: send the answers, then wait for the next request.
      if (w_ && !w_->out.empty() && !try_send(0) && (failed_ || !co_await send_out())) {
        next = Next::abort;
        break;
      }
      if (eof_) break;
      const ReadResult r = co_await read_more(true);
      if (r != ReadResult::data) {
        next = r == ReadResult::eof ? Next::close : Next::abort;
        break;
      }
    }
    // A request has begun: its whole head must arrive within header_timeout, however slowly it trickles.
    const Clock::time_point started = Clock::now();
    conn_.expires_after(cfg_.header_timeout);
    w_->parser.reset();
    Reply reply;
    auto parsed = w_->parser.parse_head(buffered());
    while (parsed && parsed->progress == http::Progress::need_more) {
      if (eof_) {
        next = Next::close;  // the client half-closed inside a head: it can never complete
        break;
      }
      const ReadResult r = co_await read_more(false);
      if (r == ReadResult::timeout) {
        // RFC 9110 §15.5.9: 408, then close.
        RequestContext rq(srv_, loop_, *w_, kNoHead, std::time(nullptr));
        reply.keep_alive = false;
        reply_error(rq, reply, http::Status::request_timeout);
        conn_.clear_timed_out();
        finish_request(reply, started);
        next = Next::close;
        break;
      }
      if (r == ReadResult::closed) next = Next::abort;
      if (r != ReadResult::data && r != ReadResult::eof) break;
      parsed = w_->parser.parse_head(buffered());
    }
    if (next != Next::proceed) break;

    if (!parsed) {
      next = on_parse_error(parsed.error(), reply);
      finish_request(reply, started);
      if (next == Next::proceed && !w_->parser.done() && !co_await drain_body()) next = Next::abort;
      continue;
    }

    const http::RequestHead& head = w_->parser.head();
    ++served_;
    trace_request(buffered().substr(0, parsed->consumed));
    RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
    std::string_view target = head.target, host = head.host;
    if (head.target_form == http::TargetForm::absolute) {
      // RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host.
      const AbsoluteParts abs = split_absolute(target);
      host = abs.authority;
      target = abs.origin;
    }
    const TargetParts parts = split_target(target);
    rq.path = parts.path.empty() ? std::string_view("/") : parts.path;
    rq.query = parts.query;
    rq.has_query = parts.has_query;
    rq.site = select_site(host);

    reply.keep_alive = head.keep_alive && served_ < cfg_.max_requests_per_connection && !conn_.draining();
    const bool body_follows = !w_->parser.done();
    // A body the handler will not read is drained afterwards, unless the client waits for a 100 it will
    // never get (then only closing is safe) or it is larger than we are willing to read for nothing.
    if (body_follows && (head.expect_continue || (head.framing.kind == http::BodyKind::length &&
                                                  head.framing.length > cfg_.limits.max_body_size)))
      reply.keep_alive = false;

    const std::size_t mark = w_->out.size();
    handle(rq, reply);
    trace_response(mark);
    consume(parsed->consumed);  // the head's views are dead from here on

    if (reply.body.kind != PendingBody::Kind::none) {
      if (!co_await send_pending(reply)) {
        next = Next::abort;
        break;
      }
    } else if (w_->out.size() >= kOutFlushThreshold && !try_send(0) && (failed_ || !co_await send_out())) {
      next = Next::abort;
      break;
    }
    finish_request(reply, started);
    if (!reply.keep_alive) {
      next = Next::close;
      break;
    }
    if (body_follows && !co_await drain_body()) next = Next::abort;
  }
  if (next != Next::abort && !failed_) co_await close_gracefully();
  srv_.metrics.open_connections->add(-1, loop_.index);
  cfg_.transcript.note(conn_.peer(), "connection closed");
}

}  // namespace

awaitable<void> run_http_session(ServerState& server, core::Connection& conn) {
  HttpSession session(server, conn);
  co_await session.run();
}

awaitable<void> refuse_http_connection(ServerState& server, core::Connection& conn) {
  server.metrics.connections_refused->inc(1, conn.loop().index());
  auto& socket = conn.socket();
  char buf[2048];
  // Wait briefly for the request so the 503 answers it; TcpServer's 5-second deadline bounds all of this.
  conn.expires_after(std::chrono::seconds(1));
  co_await socket.async_read_some(asio::buffer(buf), use_nothrow);
  conn.clear_timed_out();
  conn.expires_after(std::chrono::seconds(2));
  std::string out;
  http::DateCache date;
  std::string page;
  append_error_page(page, http::Status::service_unavailable, "Too many connections; try again shortly.");
  begin_response(out, http::Status::service_unavailable, date.get(std::time(nullptr)));
  out += "Retry-After: 1\r\nContent-Type: text/html; charset=utf-8\r\n";
  append_content_length(out, page.size());
  out += "Connection: close\r\n\r\n";
  out += page;
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), use_nothrow);
  if (ec) co_return;
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  for (;;) {
    auto [rec, rn] = co_await socket.async_read_some(asio::buffer(buf), use_nothrow);
    if (rec) break;
  }
}

}  // namespace endhost::web
