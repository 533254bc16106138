#include "http/server/http_session.hpp"
#include "http/server/http_session_impl.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "http/serializer.hpp"
#include "http/server/access_log_format.hpp"
#include "http/server/h2_session.hpp"
#include "http/server/http1_response.hpp"
#include "http/server/replies.hpp"
#include "http/server/request_router.hpp"
#include "http/server/response.hpp"
#include "http/server/static_handler.hpp"
#include "http2/frame/preface.hpp"

namespace endhost::web {

namespace detail {

namespace {

// Bytes a single connection may send in one turn of the event loop before it lets the others run.
constexpr std::uint64_t kFairShare = 4 << 20;
// Bytes asked of one sendfile(2) call. The kernel treats a request for more than fits in the socket
// buffer as "more to come" and holds back the last partial segment; asking for a socket buffer's worth at a
// time (nginx's sendfile_max_chunk is 2 MiB) avoids that.
constexpr std::uint64_t kSendfileChunk = 2 << 20;
// What one TLS record carries (RFC 8446 §5.1), the piece of a file sent through TLS.
constexpr std::size_t kTlsPiece = 16 * 1024;
// Responses accumulate while pipelined requests are answered; past this size they go out first.
constexpr std::size_t kOutFlushThreshold = 64 * 1024;
// File bytes read and compressed at a time by --compress.
constexpr std::size_t kGzipBlock = 32 * 1024;

// The head of a request whose line or fields could not be parsed (must_close errors): nothing of it is
// trusted, so replies use HTTP/1.1 defaults.
const http::RequestHead kNoHead{};

}  // namespace

const http::RequestHead& no_head() {
  return kNoHead;
}

void HttpSession::begin_request() {
  // A request has begun: its whole head must arrive within header_timeout, however slowly it trickles (a
  // total, not a per-read timeout: that is what defeats slowloris).
  in_request_ = true;
  started_ = Clock::now();
  conn_.expires_after(cfg_.header_timeout);
  w_->reply.reset();
  w_->write.method = http::Method::unknown;
  w_->log_request.clear();
  w_->log_time = 0;
  async_ = false;
  body_follows_ = false;
}

void HttpSession::note_for_log(const http::RequestHead* head, std::string_view raw_line) {
  if (!cfg_.access_log) return;
  Work& w = *w_;
  w.log_time = std::time(nullptr);
  w.log_referer.clear();
  w.log_agent.clear();
  if (head == nullptr) {
    // A request that could not be parsed: its first line as received, cut short.
    w.log_request.assign(raw_line.substr(0, std::min<std::size_t>(raw_line.size(), 1024)));
    return;
  }
  w.log_request.assign(head->method);
  w.log_request += ' ';
  w.log_request += head->target;
  w.log_request += " HTTP/";
  w.log_request += static_cast<char>('0' + head->version.major);
  w.log_request += '.';
  w.log_request += static_cast<char>('0' + head->version.minor);
  w.log_referer.assign(head->fields.get("referer").value_or(""));
  w.log_agent.assign(head->fields.get("user-agent").value_or(""));
}

void HttpSession::write_log_line() {
  const Work& w = *w_;
  const bool write = w.write.method != http::Method::unknown;
  AccessLogEntry e;
  e.remote = remote_host(conn_.peer());
  e.user = write ? std::string_view(w.write.user) : std::string_view();
  e.time = w.log_time != 0 ? w.log_time : std::time(nullptr);
  e.request = w.log_request;
  e.status = http::to_int(w.reply.head.status);
  e.bytes = w.reply.content_bytes;
  e.referer = w.log_referer;
  e.user_agent = w.log_agent;
  append_combined_log_line(cfg_.access_log->buffer(loop_.index), e);
  cfg_.access_log->flush_if_full(loop_.index);
}

HttpSession::Head HttpSession::parse_buffered() {
  // Between requests with nothing received (the Work is back in the pool, or about to go).
  if (!w_ || w_->http.idle()) return eof_ ? Head::closed : Head::need_input;
  http::ServerConnection& http = w_->http;
  if (served_ == 0 && !tls_ && cfg_.http2) {
    // RFC 9113 §3.3: a client with prior knowledge opens with the preface instead of a request.
    const http2::PrefaceMatch m = http2::match_preface(http.pending());
    if (m == http2::PrefaceMatch::complete) return Head::http2;
    if (m == http2::PrefaceMatch::partial) {
      if (!in_request_) begin_request();  // the header timeout runs for a preface as for a head
      return eof_ ? Head::closed : Head::need_input;
    }
  }
  switch (http.next()) {
    case http::ServerConnection::Event::head:
      if (!in_request_) begin_request();
      return Head::ready;
    case http::ServerConnection::Event::error:
      if (!in_request_) begin_request();
      return Head::failed;
    case http::ServerConnection::Event::need_more:
      // A head has begun: it has header_timeout from its first byte. (Bytes of a body being drained are not
      // the next request's.)
      if (!in_request_ && !http.idle() && !http.draining()) begin_request();
      return Head::need_input;
    default:  // closed: the client left (inside a head or a body), or a drained body ended the connection
      return Head::closed;
  }
}

HttpSession::Input HttpSession::receive() {
  ensure_work();
  // Reads come only when the ServerConnection asks for bytes (or it is closed and drops them), so there is
  // room: a head at its limit, a trailer section at its limit and a read fit in its buffer.
  const std::span<char> space = w_->http.read_space();
  if (space.empty()) return Input::error;
  if (tls_) return receive_tls(space);
  for (;;) {
    const std::size_t room = space.size();
    const ssize_t n = ::recv(fd_, space.data(), room, 0);
    if (n > 0) {
      // A short read emptied the kernel's queue: new data will raise a new readiness edge.
      drained_ = static_cast<std::size_t>(n) < room;
      w_->http.commit(static_cast<std::size_t>(n));
      srv_.metrics.bytes_received->inc(static_cast<std::uint64_t>(n), loop_.index);
      loop_.files.note_input();
      return Input::data;
    }
    if (n == 0) {
      eof_ = true;
      w_->http.end_of_input();
      return Input::eof;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Input::would_block;
    return Input::error;
  }
}

HttpSession::Input HttpSession::receive_tls(std::span<char> space) {
  const core::TlsIo io = conn_.stream().try_read_some(asio::buffer(space.data(), space.size()));
  tls_want_ = io.want;
  if (io.want != core::TlsWant::nothing) return Input::would_block;
  if (io.ec == asio::error::eof) {
    eof_ = true;
    w_->http.end_of_input();
    return Input::eof;
  }
  if (io.ec) return Input::error;
  // OpenSSL may hold decrypted bytes the kernel no longer shows: never skip the next read.
  drained_ = false;
  w_->http.commit(io.bytes);
  srv_.metrics.bytes_received->inc(io.bytes, loop_.index);
  loop_.files.note_input();
  return Input::data;
}

bool HttpSession::before_read_wait() {
  drained_ = false;
  idle_wait_ = !w_ || w_->http.lendable();
  if (!idle_wait_) {
    // The rest of an answered request's body: each read of it gets the body timeout (a head's runs on).
    if (w_->http.draining()) conn_.expires_after(cfg_.body_timeout);
    return true;
  }
  // Between requests: give the buffers back, so idle keep-alive connections cost almost nothing; and
  // write the loop's pending log lines, since this connection has nothing more to do for now.
  if (w_) release_work();
  if (cfg_.access_log) cfg_.access_log->flush(loop_.index);
  if (!conn_.begin_idle()) return false;  // the server is draining
  conn_.expires_after(cfg_.keepalive_timeout);
  return true;
}

Next HttpSession::on_read_wait_error() {
  if (!conn_.timed_out()) return Next::abort;
  if (w_ && w_->http.draining()) {
    // The unused body of a request already answered stopped arriving: closing is all that is left to say.
    conn_.clear_timed_out();
    if (cfg_.transcript.enabled()) cfg_.transcript.note(conn_.peer(), "request body failed; closing");
    return Next::close;
  }
  if (!in_request_) return Next::abort;
  ensure_work();
  RequestContext rq(srv_, loop_, *w_, kNoHead, std::time(nullptr));
  Reply& reply = w_->reply;
  reply.keep_alive = false;
  reply_error(rq, reply, http::Status::request_timeout);
  write_response(rq);
  conn_.clear_timed_out();
  if (cfg_.transcript.enabled()) cfg_.transcript.note(conn_.peer(), "request head timed out");
  finish_request();
  return Next::close;
}

std::uint64_t HttpSession::allowance(std::uint64_t want) {
  if (!pace_) return want;
  const std::uint64_t n = std::min(want, pace_->bucket.available(core::SystemClock().now()));
  if (n == 0) paced_ = true;
  return n;
}

asio::steady_timer& HttpSession::pace_timer() {
  paced_ = false;
  // Each pause moves the send deadline on: a paced response is not a client that stopped reading.
  conn_.expires_after(cfg_.send_timeout);
  const core::Instant at = pace_->bucket.ready_at();
  pace_->timer.expires_at(
      Clock::time_point(std::chrono::duration_cast<Clock::duration>(at.time_since_epoch())));
  return pace_->timer;
}

HttpSession::Output HttpSession::try_send(int flags) {
  paced_ = false;
  if (tls_) return try_send_tls();
  std::string& out = w_->out;
  while (sent_ < out.size()) {
    const std::size_t len = static_cast<std::size_t>(allowance(out.size() - sent_));
    if (len == 0) return Output::would_block;  // paced(): the rate, not the socket
    const ssize_t n = ::send(fd_, out.data() + sent_, len, MSG_NOSIGNAL | flags);
    if (n >= 0) {
      sent_ += static_cast<std::size_t>(n);
      spent(static_cast<std::uint64_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Output::would_block;
    return Output::error;
  }
  srv_.metrics.bytes_sent->inc(out.size(), loop_.index);
  out_base_ += out.size();
  out.clear();
  sent_ = 0;
  return Output::sent;
}

HttpSession::Output HttpSession::try_send_tls() {
  std::string& out = w_->out;
  while (sent_ < out.size()) {
    const std::size_t left = out.size() - sent_;
    std::size_t len = left;
    if (pace_) {
      // A write OpenSSL could not finish must be retried with at least its length (SSL_write(3)): that
      // retry goes even when the rate would say wait, and the bucket's debt evens it out.
      len = static_cast<std::size_t>(
          std::min<std::uint64_t>(left, pace_->bucket.available(core::SystemClock().now())));
      len = std::max(len, std::min(pace_->tls_retry, left));
      if (len == 0) {
        paced_ = true;
        return Output::would_block;
      }
    }
    const core::TlsIo io = conn_.stream().try_write_some(asio::buffer(out.data() + sent_, len));
    tls_want_ = io.want;
    if (io.want != core::TlsWant::nothing) {
      if (pace_) pace_->tls_retry = len;
      return Output::would_block;
    }
    if (io.ec) return Output::error;
    if (pace_) pace_->tls_retry = 0;
    sent_ += io.bytes;
    spent(io.bytes);
  }
  srv_.metrics.bytes_sent->inc(out.size(), loop_.index);
  out_base_ += out.size();
  out.clear();
  sent_ = 0;
  return Output::sent;
}

awaitable<bool> HttpSession::send_out(int flags) {
  for (;;) {
    const Output o = try_send(flags);
    if (o == Output::sent) co_return true;
    if (o == Output::error) co_return false;
    if (paced_) {
      auto [ec] = co_await pace_timer().async_wait(kDeferred);
      if (ec) co_return false;
      continue;
    }
    before_write_wait();
    auto [ec] = co_await conn_.stream().lowest_layer().async_wait(wait_for(WaitType::wait_write), kDeferred);
    if (ec) co_return false;
  }
}

awaitable<HttpSession::Input> HttpSession::read_more() {
  for (;;) {
    const Input in = receive();
    if (in != Input::would_block) co_return in;
    // Answers already built go out before we wait, or a client that waits for them would deadlock with us.
    // Sending may suspend, so look at the socket again afterwards: the reactor is edge-triggered, and an
    // edge seen while no wait was queued is not reported again.
    if (has_output()) {
      const bool sent = co_await send_out();
      if (!sent) co_return Input::error;
      continue;
    }
    auto [ec] = co_await conn_.stream().lowest_layer().async_wait(wait_for(WaitType::wait_read), kDeferred);
    if (ec) co_return Input::error;
  }
}

awaitable<bool> HttpSession::send_file(int file, std::uint64_t offset, std::uint64_t length) {
  if (tls_) {
    const bool ok = co_await send_file_tls(file, offset, length);
    co_return ok;
  }
  std::uint64_t this_turn = 0;
  while (length > 0) {
    const std::uint64_t chunk = allowance(std::min<std::uint64_t>(length, kSendfileChunk));
    if (chunk == 0) {
      auto [ec] = co_await pace_timer().async_wait(kDeferred);
      if (ec) co_return false;
      this_turn = 0;
      continue;
    }
    off_t off = static_cast<off_t>(offset);
    const ssize_t n = ::sendfile(fd_, file, &off, static_cast<std::size_t>(chunk));
    if (n > 0) {
      offset += static_cast<std::uint64_t>(n);
      length -= static_cast<std::uint64_t>(n);
      spent(static_cast<std::uint64_t>(n));
      srv_.metrics.bytes_sent->inc(static_cast<std::uint64_t>(n), loop_.index);
      this_turn += static_cast<std::uint64_t>(n);
      if (this_turn >= kFairShare && length > 0) {
        // A fast reader could keep us here for the whole file; let the loop's other connections run.
        this_turn = 0;
        co_await asio::post(conn_.loop().io(), asio::deferred);
      }
      continue;
    }
    // The file shrank under us: the Content-Length already sent can no longer be honoured, so the only
    // correct end is closing the connection (RFC 9112 §6.3: the client sees an incomplete message).
    if (n == 0) co_return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
    before_write_wait();
    this_turn = 0;
    auto [ec] = co_await conn_.stream().lowest_layer().async_wait(WaitType::wait_write, kDeferred);
    if (ec) co_return false;
  }
  co_return true;
}

awaitable<bool> HttpSession::send_file_tls(int file, std::uint64_t offset, std::uint64_t length) {
  // No sendfile through TLS: read a record's worth (RFC 8446 §5.1: 16 KiB of plaintext) into the pooled
  // output buffer and send it, until the range is out.
  std::string& out = w_->out;
  std::uint64_t this_turn = 0;
  while (length > 0) {
    if (this_turn >= kFairShare) {  // as in send_file: let the loop's other connections run
      this_turn = 0;
      co_await asio::post(conn_.loop().io(), asio::deferred);
    }
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(length, kTlsPiece));
    const std::size_t base = out.size();
    out.resize(base + want);
    const ssize_t n = ::pread(file, out.data() + base, want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) {
      out.resize(base);
      continue;
    }
    if (n <= 0) co_return false;  // the file shrank: as in send_file, only closing is correct
    out.resize(base + static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::uint64_t>(n);
    this_turn += static_cast<std::uint64_t>(n);
    const bool sent = co_await send_out();
    if (!sent) co_return false;
  }
  co_return true;
}

awaitable<bool> HttpSession::send_pending() {
  PendingBody& body = w_->reply.body;
  switch (body.kind) {
    case PendingBody::Kind::none:
    case PendingBody::Kind::memory:  // write_response() copied it into w_->out with the head
      co_return true;
    case PendingBody::Kind::file: {
      // MSG_MORE: the head waits for the first file bytes, so they leave in full segments together.
      const bool head_sent = co_await send_out(MSG_MORE);
      if (!head_sent) co_return false;
      const bool ok = co_await send_file(body.file.get(), body.offset, body.length);
      co_return ok;
    }
    case PendingBody::Kind::byteranges: {
      bool ok = true;
      for (const auto& part : body.parts->parts) {
        w_->out += part.header;
        ok = co_await send_out(MSG_MORE);
        if (!ok) break;
        ok = co_await send_file(body.file.get(), part.range.first, part.range.length());
        if (!ok) break;
      }
      w_->out += body.parts->trailer;
      co_return ok;
    }
    case PendingBody::Kind::gzip: {
      const bool ok = co_await send_gzip(body.file.get(), body.length);
      co_return ok;
    }
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
    if (w_->out.size() >= kGzipBlock) {
      ok = co_await send_out();
      if (!ok) break;
    }
  }
  loop_.gzip.give(std::move(z));
  co_return ok;
}

HttpSession::BodyEnd HttpSession::drop_buffered_body() {
  http::ServerConnection& http = w_->http;
  std::uint64_t dropped = 0;
  for (;;) {
    const http::ServerConnection::Event event = http.next();
    if (event == http::ServerConnection::Event::body) {
      dropped += http.body_data().size();
      if (dropped > cfg_.max_drain_body) return BodyEnd::too_long;
      continue;
    }
    if (event == http::ServerConnection::Event::body_end) return BodyEnd::done;
    if (event == http::ServerConnection::Event::error) {
      body_error_ = http.error();
      return BodyEnd::malformed;
    }
    if (event == http::ServerConnection::Event::closed) return BodyEnd::closed;
    return BodyEnd::more;  // need_more: what is still to come is drained after the response
  }
}

Next HttpSession::body_failed(BodyEnd end) {
  Reply& reply = w_->reply;
  reply.keep_alive = false;
  write_pending_ = false;
  if (end == BodyEnd::timed_out) conn_.clear_timed_out();
  // A client that went away gets nothing; one whose body broke the framing or stalled is told why (RFC 9112
  // §6.3, RFC 9110 §15.5.9), as long as no byte of the response it was going to get has left: after that,
  // closing is the only signal left.
  const bool unsent = out_base_ + sent_ <= reply_start_;
  if (end == BodyEnd::closed || !unsent) {
    if (cfg_.transcript.enabled()) cfg_.transcript.note(conn_.peer(), "request body failed; closing");
    finish_request();
    return end == BodyEnd::closed ? Next::abort : Next::close;
  }
  http::Status status = http::Status::bad_request;
  std::string_view detail;
  if (end == BodyEnd::malformed) {
    status = body_error_.status;
    detail = http::describe(body_error_.code);
  } else if (end == BodyEnd::too_long) {
    status = http::Status::content_too_large;
    detail = "The request body is larger than the limit.";
  } else {
    status = http::Status::request_timeout;
    detail = "The request body stopped arriving.";
  }
  // The response built for the request (its head, maybe a file to send) is taken back.
  const std::size_t mark = static_cast<std::size_t>(reply_start_ - out_base_);
  w_->out.resize(mark);
  reply.reset();
  reply.keep_alive = false;
  http::RequestHead head;
  if (w_->http.has_head()) {
    head.version = w_->http.head().version;
    head.method_id = w_->http.head().method_id;
  }
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  rq.set_cookie = w_->set_cookie;
  rq.private_response = !w_->set_cookie.empty();
  reply_error(rq, reply, status, detail);
  write_response(rq);
  trace_response(mark);
  finish_request();
  return Next::close;
}

awaitable<void> HttpSession::close_gracefully() {
  if (has_output()) {
    const bool sent = co_await send_out();
    if (!sent) co_return;
  }
  // Half-close, then read and drop what the client may still be sending (pipelined requests, the rest of a
  // refused body) until it closes too: closing with unread data would make the kernel send a reset, and a
  // reset can destroy our last response in the client's receive buffer before it reads it (RFC 9112 §9.6).
  conn_.stream().shutdown_send();  // after close_notify on TLS
  if (eof_) co_return;
  conn_.expires_after(cfg_.linger_timeout);
  ensure_work();
  w_->http.close();  // from here on, each read drops what the one before it read
  std::uint64_t dropped = 0;
  while (dropped < cfg_.linger_max_bytes) {
    const Input in = co_await read_more();
    if (in != Input::data) break;
    dropped += w_->http.buffered();
  }
}

void HttpSession::write_response(const RequestContext& rq) {
  // The one place the web server frames a described response as HTTP/1.1: the head, then the content held
  // in memory. What else the body needs (sendfile, byteranges, gzip) is sent later by send_pending().
  Reply& reply = w_->reply;
  append_http1_head(w_->out, reply.head, rq.date, reply.keep_alive, rq.head.version);
  if (reply.body.kind == PendingBody::Kind::memory) {
    w_->out += w_->body;
    reply.body.kind = PendingBody::Kind::none;  // in the output buffer now: nothing left for send_pending()
  }
}

void HttpSession::trace_response(std::size_t out_mark) {
  if (!cfg_.transcript.enabled()) return;
  const std::string_view out = std::string_view(w_->out).substr(out_mark);
  const std::size_t end = out.find("\r\n\r\n");
  cfg_.transcript.server(conn_.peer(), out.substr(0, end));
}

void HttpSession::handle(RequestContext& rq, Reply& reply) {
  switch (route_request(cfg_, rq, reply)) {
    case Route::answered:
      return;
    case Route::write:
      return prepare_write(rq);
    case Route::session_info:
      return serve_session_info(rq, reply);
  }
}

Next HttpSession::respond() {
  const http::RequestHead& head = w_->http.head();
  ++served_;
  if (cfg_.transcript.enabled()) {
    std::string_view text = w_->http.head_bytes();
    while (text.size() >= 2 && text.substr(text.size() - 2) == "\r\n") text.remove_suffix(2);
    cfg_.transcript.client(conn_.peer(), text);
  }
  note_for_log(&head, {});
  w_->set_cookie.clear();
  if (cfg_.visitors) {
    // The visitor is looked up (on the store's thread) before anything is answered: the response may have
    // to set the cookie. The head stays in the buffer meanwhile: it is pinned until response_done().
    name_visitor(*w_, head.fields);
    session_pending_ = true;
    async_ = true;
    return Next::proceed;
  }
  return dispatch();
}

awaitable<void> HttpSession::lookup_visitor() {
  co_await look_up_visitor(srv_, *w_);
}

Next HttpSession::dispatch() {
  http::ServerConnection& http = w_->http;
  const http::RequestHead& head = http.head();
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  rq.set_cookie = w_->set_cookie;
  rq.private_response = !w_->set_cookie.empty();
  aim_request(cfg_, rq);

  Reply& reply = w_->reply;
  const bool reusable = served_ < cfg_.max_requests_per_connection && !conn_.draining();
  // The ServerConnection's close policy (RFC 9112 §9.3) decides before the handler runs, since handlers may
  // look at it: besides the request's own version and Connection field, a body the handler will not read
  // closes the connection when draining it is not safe (the client waits for a 100 Continue that will not
  // come) or not worth it (a Content-Length over --max-body).
  reply.keep_alive = http.keep_alive() && reusable;
  const bool keep_alive_if_read = head.keep_alive && reusable;
  body_follows_ = head.framing.kind != http::BodyKind::none;
  write_pending_ = false;

  const std::size_t mark = w_->out.size();
  mark_reply_start();
  handle(rq, reply);
  if (!write_pending_) write_response(rq);
  trace_response(mark);
  if (write_pending_) {
    // The write methods read the body themselves (after a 100 Continue if asked) and decide then.
    reply.keep_alive = keep_alive_if_read;
    async_ = true;
    return Next::proceed;
  }
  if (body_follows_ && reply.keep_alive) {
    // What came of an unused body with the head is looked at before the response leaves, so that a malformed
    // one is answered (with its status) instead of the response (as nginx does when it discards a body).
    const BodyEnd end = drop_buffered_body();
    if (end != BodyEnd::done && end != BodyEnd::more) return body_failed(end);
  }
  async_ = reply.body.kind != PendingBody::Kind::none;
  if (async_) return Next::proceed;
  return finish_request();
}

Next HttpSession::respond_to_error() {
  http::ServerConnection& http = w_->http;
  const http::Error error = http.error();
  // A TLS ClientHello on a plain port: the client cannot read an HTTP answer, so none is sent.
  if (error.code == http::Errc::tls_on_plain_port) return Next::abort;
  // A must_close error leaves nothing of the head trustworthy; otherwise (Host and Expect problems) the head
  // is valid and the ServerConnection drains its body after the answer, so the connection may carry on.
  const http::RequestHead& head = error.must_close ? kNoHead : http.head();
  // The request as received: from its first byte when its head could not be parsed.
  const std::string_view received = error.must_close ? http.pending() : http.head_bytes();
  if (error.must_close) {
    note_for_log(nullptr, received.substr(0, std::min(received.find('\r'), received.find('\n'))));
  } else {
    note_for_log(&head, {});
  }
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  Reply& reply = w_->reply;
  // keep_alive() is false after a must_close error, and for a body that cannot be drained (a request that
  // announced one with Expect: 100-continue got no 100 and may or may not send it now).
  reply.keep_alive = http.keep_alive() && !conn_.draining();
  const std::size_t mark = w_->out.size();
  mark_reply_start();
  reply_error(rq, reply, error.status, http::describe(error.code));
  write_response(rq);
  if (cfg_.transcript.enabled()) {
    cfg_.transcript.client(conn_.peer(), received.substr(0, std::min<std::size_t>(received.find('\n'), 200)));
    trace_response(mark);
  }
  if (!error.must_close) ++served_;
  return finish_request();
}

awaitable<Next> HttpSession::finish_async() {
  if (session_pending_) {
    session_pending_ = false;
    co_await lookup_visitor();
    const Next next = dispatch();
    if (next != Next::proceed || !async_) co_return next;
  }
  if (write_pending_) {
    const Next next = co_await serve_write();
    co_return next;
  }
  if (w_->reply.body.kind != PendingBody::Kind::none) {
    const bool sent = co_await send_pending();
    if (!sent) co_return Next::abort;
    w_->reply.body = PendingBody{};
  }
  co_return finish_request();
}

Next HttpSession::finish_request() {
  const Reply& reply = w_->reply;
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  srv_.metrics.response(http::to_int(reply.head.status), seconds, loop_.index);
  if (cfg_.access_log) write_log_line();
  in_request_ = false;
  async_ = false;
  // The answer is decided (it may wait in w_->out with those to pipelined requests before it): the
  // ServerConnection moves on to the next request, draining what is left of this one's body first.
  w_->http.response_done(!reply.keep_alive);
  if (!reply.keep_alive) return Next::close;
  // Answers pile up while pipelined requests are answered; past a threshold they go out first.
  if (w_->out.size() >= kOutFlushThreshold && try_send() == Output::error) return Next::abort;
  return Next::proceed;
}

}  // namespace detail

using namespace detail;

awaitable<void> run_http_session(ServerState& server, core::Connection& conn) {
  std::string h2_preread;
  if (server.config.http2 && !conn.stream().is_plain() && conn.stream().tls_info().alpn == "h2") {
    co_await run_h2_session(server, conn, h2_preread);  // RFC 9113 §3.2: ALPN chose h2
    co_return;
  }
  bool h2c = false;
  {
    HttpSession s(server, conn);
    Next next = Next::proceed;
    while (next == Next::proceed) {
      const HttpSession::Head head = s.parse_buffered();
      if (head == HttpSession::Head::http2) {
        h2_preread = s.take_buffered();
        h2c = true;
        break;
      }
      if (head == HttpSession::Head::ready) {
        next = s.respond();
      } else if (head == HttpSession::Head::failed) {
        next = s.respond_to_error();
      } else if (head == HttpSession::Head::closed) {
        next = Next::close;
        break;
      } else if (s.has_output()) {
        // Answers already built go out before we wait for more input: a pipelining client may be waiting for
        // them. Then look at the socket again (an edge-triggered reactor does not repeat an edge).
        const HttpSession::Output o = s.try_send();
        if (o == HttpSession::Output::error) next = Next::abort;
        if (o != HttpSession::Output::would_block) continue;
        if (s.paced()) {
          auto [ec] = co_await s.pace_timer().async_wait(kDeferred);
          if (ec) next = Next::abort;
          continue;
        }
        s.before_write_wait();
        auto [ec] = co_await conn.stream().lowest_layer().async_wait(s.write_wait(), kDeferred);
        if (ec) next = Next::abort;
        continue;
      } else {
        // One read less per keep-alive request: when the last read was short and nothing has suspended
        // since, the socket is known to be empty and the next data will raise a new edge.
        if (!s.input_drained()) {
          const HttpSession::Input in = s.receive();
          if (in == HttpSession::Input::error) next = Next::abort;
          if (in != HttpSession::Input::would_block) continue;
        }
        if (!s.before_read_wait()) {
          next = Next::abort;
          break;
        }
        auto [ec] = co_await conn.stream().lowest_layer().async_wait(s.read_wait(), kDeferred);
        s.after_read_wait();
        if (ec) next = s.on_read_wait_error();
        continue;
      }
      if (next == Next::proceed && s.needs_async()) {
        // finish_async may suspend (after reading, too): an edge may pass unseen meanwhile.
        s.forget_drained();
        next = co_await s.finish_async();
        s.forget_drained();
      }
    }
    if (next == Next::close) {
      co_await s.close_gracefully();
    }
  }
  if (h2c) co_await run_h2_session(server, conn, h2_preread);
}

awaitable<void> refuse_http_connection(ServerState& server, core::Connection& conn) {
  server.metrics.connections_refused->inc(1, conn.loop().index());
  auto& socket = conn.stream();
  char buf[2048];
  // Wait briefly for the request so the 503 answers it; TcpServer's 5-second deadline bounds all of this.
  conn.expires_after(std::chrono::seconds(1));
  co_await socket.async_read_some(asio::buffer(buf), kDeferred);
  conn.clear_timed_out();
  conn.expires_after(std::chrono::seconds(2));
  // Refusals are rare and have no Work: their buffers are allocated here, once.
  std::string out;
  http::DateCache date;
  std::string page;
  append_error_page(page, http::Status::service_unavailable, "Too many connections; try again shortly.");
  ResponseHead head;
  head.reset(http::Status::service_unavailable);
  head.add("Retry-After", "1");
  head.add("Content-Type", "text/html; charset=utf-8");
  head.set_content_length(page.size());
  append_http1_head(out, head, date.get(std::time(nullptr)), false, http::http11);
  out += page;
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), kDeferred);
  if (ec) co_return;
  socket.shutdown_send();
  for (;;) {
    auto [rec, rn] = co_await socket.async_read_some(asio::buffer(buf), kDeferred);
    if (rec) break;
  }
}

}  // namespace endhost::web
