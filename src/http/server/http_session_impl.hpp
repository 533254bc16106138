// Internal to the web server: the state of one HTTP connection and the steps of its life, shared by the
// session loop (http_session.cpp) and the write methods (http_writes.cpp). run_http_session() strings the
// steps together and does the waiting. The HTTP/1 framing (heads, bodies, pipelining, drain, close policy)
// is the http::ServerConnection in the pooled Work, driven by this session's own socket code; everything
// per request lives in the Work too, so between requests this object (with the ServerConnection's parked
// request count) is all a connection keeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/asio.hpp"
#include "core/clock.hpp"
#include "core/connection.hpp"
#include "core/token_bucket.hpp"
#include "http/request_parser.hpp"
#include "http/server/exchange.hpp"
#include "http/server/replies.hpp"
#include "http/server/request_router.hpp"
#include "http/server/server_state.hpp"
#include "http/server_connection.hpp"

namespace endhost::web::detail {

using Clock = std::chrono::steady_clock;
using WaitType = asio::socket_base::wait_type;

// Waits on the socket are co_awaited as deferred operations: no coroutine frame of their own, which keeps an
// idle keep-alive connection down to the session's one frame (docs/internals/web.md, "Memory").
//
// GCC 12 miscompiles co_await inside a condition followed by co_return (it reaches __builtin_unreachable), so
// in these files every co_await stands alone in its statement.
inline constexpr auto kDeferred = asio::as_tuple(asio::deferred);

enum class Next : std::uint8_t { proceed, close, abort };

// The head used for replies when the real one cannot be trusted (a must_close parse error) or is gone.
const http::RequestHead& no_head();

class HttpSession {
 public:
  HttpSession(ServerState& server, core::Connection& conn)
      : srv_(server),
        cfg_(server.config),
        loop_(*server.loops[conn.loop().index()]),
        conn_(conn),
        fd_(conn.stream().native_handle()),
        tls_(!conn.stream().is_plain()) {
    boost::system::error_code ignored;
    conn_.stream().lowest_layer().non_blocking(true, ignored);
    if (cfg_.limit_rate > 0) pace_ = std::make_unique<Pacer>(cfg_.limit_rate, conn.stream().get_executor());
    srv_.metrics.open_connections->add(1, loop_.index);
    cfg_.transcript.note(conn_.peer(), "connection opened");
  }
  ~HttpSession() {
    if (w_) release_work();
    if (cfg_.access_log) cfg_.access_log->flush(loop_.index);
    srv_.metrics.open_connections->add(-1, loop_.index);
    if (!to_h2_) cfg_.transcript.note(conn_.peer(), "connection closed");
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // http2: the connection opened with the HTTP/2 preface (h2c with prior knowledge, RFC 9113 §3.3).
  enum class Head : std::uint8_t { ready, need_input, failed, closed, http2 };
  enum class Input : std::uint8_t { data, would_block, eof, error };
  enum class Output : std::uint8_t { sent, would_block, error };

  // The next step of the ServerConnection: a head (ready), an error (failed), bytes wanted (need_input, also
  // while it drains the rest of an answered request's body), or the end.
  Head parse_buffered();
  Input receive();
  bool has_output() const { return w_ && !w_->out.empty(); }
  Output try_send(int flags = 0);
  // Before waiting to read: between requests the Work (ServerConnection and buffers) goes back to the pool
  // and the idle deadline starts; while a body is drained, each read gets the body timeout. False when the
  // server is draining and an idle connection should simply close.
  bool before_read_wait();
  void after_read_wait() {
    if (idle_wait_) conn_.end_idle();
  }
  void before_write_wait() {
    drained_ = false;
    conn_.expires_after(cfg_.send_timeout);
  }
  // Whether the socket's receive queue is known to be empty: the last read was short and the session has
  // not suspended since (after a suspension an edge may have been consumed while no wait was queued).
  bool input_drained() const { return drained_; }
  // The waits of the session loop: readable / writable, or what a blocked TLS step asks for instead.
  WaitType read_wait() const { return wait_for(WaitType::wait_read); }
  WaitType write_wait() const { return wait_for(WaitType::wait_write); }
  void forget_drained() { drained_ = false; }
  // --limit-rate: the last send stopped because the rate allows no more for now, not because the socket is
  // full. The caller waits on pace_timer() (never blocking the loop) instead of on the socket.
  bool paced() const { return paced_; }
  // Armed for when the rate allows the next write; co_await its async_wait.
  asio::steady_timer& pace_timer();
  // A read wait ended in an error: a timeout inside a head gets 408 (RFC 9110 §15.5.9); one while the rest
  // of an answered body is drained only closes.
  Next on_read_wait_error();

  Next respond();           // after Head::ready: answer the request (or look up the visitor first)
  Next respond_to_error();  // after Head::failed: answer the parse error
  bool needs_async() const { return async_; }
  awaitable<Next> finish_async();
  Next finish_request();
  awaitable<void> close_gracefully();

  core::Connection& conn() { return conn_; }
  // After Head::http2: what was read, for the HTTP/2 session.
  std::string take_buffered() {
    to_h2_ = true;
    return w_->http.take_rest();
  }

 private:
  void ensure_work() {
    if (w_) return;
    w_ = srv_.take_work(loop_);
    w_->http.resume(parked_);
  }
  void release_work() {
    // Idle, its ServerConnection parks (the request count stays here); a connection that ends leaves it as
    // new either way, so the next to take this Work starts with nothing received.
    if (w_->http.lendable()) {
      parked_ = w_->http.park();
    } else {
      w_->http.reset();
    }
    w_->out.clear();
    w_->reply.reset();
    sent_ = 0;
    srv_.give_work(loop_, std::move(w_));
  }
  void begin_request();
  // --limit-rate: how much of `want` bytes the rate allows now (`want` without a limit), and what was sent.
  std::uint64_t allowance(std::uint64_t want);
  void spent(std::uint64_t n) {
    if (pace_) pace_->bucket.spend(n);
  }

  awaitable<Input> read_more();  // for uploads and linger: receive, waiting as needed
  // TLS (docs/internals/core.md, "Stream"): the same steps through OpenSSL, which may need the socket
  // readable to write or writable to read; `wait_for` turns the wait the plain path would make into that one.
  Input receive_tls(std::span<char> space);
  Output try_send_tls();
  awaitable<bool> send_file_tls(int file, std::uint64_t offset, std::uint64_t length);
  WaitType wait_for(WaitType plain) const {
    if (!tls_ || tls_want_ == core::TlsWant::nothing) return plain;
    return tls_want_ == core::TlsWant::read ? WaitType::wait_read : WaitType::wait_write;
  }
  awaitable<bool> send_out(int flags = 0);
  awaitable<bool> send_file(int file, std::uint64_t offset, std::uint64_t length);
  awaitable<bool> send_pending();
  awaitable<bool> send_gzip(int file, std::uint64_t size);

  // Request bodies nobody uses are read and dropped. drop_buffered_body() takes, through the
  // ServerConnection's body events, what came with the head (never waits), so that a fault there is answered
  // in place of the response; the rest (more) is the ServerConnection's drain after response_done().
  // BodyEnd::malformed leaves the codec's error in body_error_.
  enum class BodyEnd : std::uint8_t { done, more, malformed, too_long, timed_out, closed };
  BodyEnd drop_buffered_body();
  // The current request's body could not be read (anything but done or more). The connection cannot carry
  // another request: answers the fault in place of the current response when none of that has been sent
  // (`reply_start_`), else only closes.
  Next body_failed(BodyEnd end);
  // The current response begins at the end of what is in w_->out now.
  void mark_reply_start() { reply_start_ = out_base_ + w_->out.size(); }

  // Writes (http_writes.cpp). prepare_write() copies what the write needs out of the head (the HTTP/2 session
  // shares the write methods, and its heads do not outlive their HEADERS); serve_write() runs the shared
  // write methods (write_handler.hpp) over the body as Http1Body reads it, and frames their outcome.
  struct BodyPiece {
    BodyEnd end = BodyEnd::closed;  // more: `data` is a piece; done: the last one; else why the body failed
    std::string_view data;
  };
  class Http1Body;
  void prepare_write(RequestContext& rq);
  awaitable<Next> serve_write();
  awaitable<Next> reject_write(http::Status status, std::string_view detail, ExtraField extra = {});
  // The next piece of an upload's body, through the ServerConnection's events (with the 100 Continue it
  // asks for first), reading as needed.
  awaitable<BodyPiece> next_body_piece();
  Next upload_failed(BodyEnd end);  // next_body_piece() failed: body_failed() with no response built
  // Describes and writes the success of a write: `content_type` (if any) and work.body as the content
  // (none for 204, which has no Content-Length either).
  Next reply_written(http::Status status, std::string_view content_type = {});

  Next dispatch();  // answers the parsed request
  void handle(RequestContext& rq, Reply& reply);
  awaitable<void> lookup_visitor();
  // HTTP/1.1 framing of w_->reply into w_->out (with its in-memory content): called once per response,
  // after the handler described it.
  void write_response(const RequestContext& rq);
  void trace_response(std::size_t out_mark);
  void note_for_log(const http::RequestHead* head, std::string_view raw_line);
  void write_log_line();

  ServerState& srv_;
  const WebConfig& cfg_;
  LoopState& loop_;
  core::Connection& conn_;
  int fd_;
  bool tls_;                                         // the raw-descriptor fast path is for plain TCP only
  core::TlsWant tls_want_ = core::TlsWant::nothing;  // what the last blocked TLS step waits for
  std::unique_ptr<Work> w_;
  http::ServerConnection::Parked parked_;  // while idle without a Work: what its ServerConnection keeps
  // --limit-rate: only a rate-limited server's connections have one (an idle connection stays small).
  struct Pacer {
    Pacer(std::uint64_t rate, const asio::any_io_executor& executor)
        : bucket(rate, core::SystemClock().now()), timer(executor) {}
    core::TokenBucket bucket;
    asio::steady_timer timer;
    std::size_t tls_retry = 0;  // a TLS write that wanted the socket: OpenSSL needs at least as many again
  };
  std::unique_ptr<Pacer> pace_;
  std::size_t sent_ = 0;           // bytes of w_->out already sent
  std::uint64_t out_base_ = 0;     // bytes of the connection's output stream before w_->out[0]
  std::uint64_t reply_start_ = 0;  // where in that stream the current response begins
  std::size_t served_ = 0;         // requests on this connection
  Clock::time_point started_;      // when the current request's first byte was seen
  bool in_request_ = false;        // a request has begun (its deadline is the header timeout)
  bool idle_wait_ = false;         // the pending read wait is between requests
  bool body_follows_ = false;      // the current request has a body the handler does not read
  bool async_ = false;             // the current request needs finish_async()
  bool write_pending_ = false;     // the current request is a PUT, DELETE or POST to serve_write()
  bool session_pending_ = false;   // --sessions: the visitor must be looked up before dispatch()
  bool eof_ = false;               // the client half-closed: answer what is buffered, then close
  bool drained_ = false;           // see input_drained()
  bool to_h2_ = false;             // the connection goes on as HTTP/2 (take_buffered)
  bool paced_ = false;             // see paced()
  http::Error body_error_{};       // what the body parser found wrong (BodyEnd::malformed)
};

}  // namespace endhost::web::detail
