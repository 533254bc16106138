// PUT, DELETE and multipart POST over HTTP/1.1: the body read through the ServerConnection's events (after
// the 100 Continue it asks for when the client expects one), the outcome of the shared write methods
// (write_handler.hpp) framed as HTTP/1.1.

#include "core/log.hpp"
#include "http/server/http1_response.hpp"
#include "http/server/http_session_impl.hpp"
#include "http/server/replies.hpp"
#include "http/server/response.hpp"
#include "http/server/write_handler.hpp"

namespace endhost::web::detail {

void HttpSession::prepare_write(RequestContext& rq) {
  web::prepare_write(rq);
  write_pending_ = true;
}

Next HttpSession::reply_written(http::Status status, std::string_view content_type) {
  WriteRequest& wr = w_->write;
  http::RequestHead head;
  head.version = wr.version;
  head.method_id = wr.method;
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  const std::size_t mark = w_->out.size();
  describe_stored(rq, status, content_type);
  write_response(rq);
  trace_response(mark);
  write_pending_ = false;
  return finish_request();
}

awaitable<Next> HttpSession::reject_write(http::Status status, std::string_view detail, ExtraField extra) {
  WriteRequest& wr = w_->write;
  Reply& reply = w_->reply;
  // The body was not read (or not all of it). It is drained if that is safe and cheap (the
  // ServerConnection's keep_alive(): not when the client still waits for a 100 Continue, nor for more than
  // --max-body); otherwise the connection closes after the answer.
  if (!w_->http.keep_alive()) reply.keep_alive = false;
  http::RequestHead head;
  head.version = wr.version;
  head.method_id = wr.method;
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  const std::size_t mark = w_->out.size();
  mark_reply_start();
  reply_error(rq, reply, status, detail, extra);
  write_response(rq);
  trace_response(mark);
  write_pending_ = false;
  if (reply.keep_alive) {
    // A fault in what of the body is buffered is answered instead; the rest is the ServerConnection's drain.
    const BodyEnd end = drop_buffered_body();
    if (end != BodyEnd::done && end != BodyEnd::more) co_return body_failed(end);
  }
  co_return finish_request();
}

awaitable<HttpSession::BodyPiece> HttpSession::next_body_piece() {
  using Event = http::ServerConnection::Event;
  http::ServerConnection& http = w_->http;
  for (;;) {
    const Event event = http.next();
    // body_data() stays valid until the next call: the UploadSource contract.
    if (event == Event::body) co_return BodyPiece{BodyEnd::more, http.body_data()};
    if (event == Event::body_end) co_return BodyPiece{BodyEnd::done, {}};
    if (event == Event::error) {
      body_error_ = http.error();
      co_return BodyPiece{BodyEnd::malformed, {}};
    }
    if (event == Event::send_continue) {
      // RFC 9110 §10.1.1: the client waits for this before sending the body.
      append_http1_interim(w_->out, http::Status::continue_);
      if (cfg_.transcript.enabled()) cfg_.transcript.server(conn_.peer(), "HTTP/1.1 100 Continue");
      const bool sent = co_await send_out();
      if (!sent) co_return BodyPiece{BodyEnd::closed, {}};
      continue;
    }
    if (event != Event::need_more) co_return BodyPiece{BodyEnd::closed, {}};  // the client left inside it
    conn_.expires_after(cfg_.body_timeout);
    const Input in = co_await read_more();
    if (in == Input::error && conn_.timed_out()) co_return BodyPiece{BodyEnd::timed_out, {}};
    if (in != Input::data) co_return BodyPiece{BodyEnd::closed, {}};
  }
}

Next HttpSession::upload_failed(BodyEnd end) {
  // Nothing of a response has been built yet (a 100 Continue is not one): the fault is answered, unless the
  // client went away.
  mark_reply_start();
  return body_failed(end);
}

// The body as the shared write methods read it: from the connection, after 100 Continue if asked. The
// ServerConnection asks for the 100 with the first read of the body, which perform_write() makes right after
// begin() (a connection that fails sending it fails that read).
class HttpSession::Http1Body final : public UploadSource {
 public:
  explicit Http1Body(HttpSession& session) : s_(session) {}
  awaitable<bool> begin() override { co_return true; }
  awaitable<Piece> next() override {
    const BodyPiece piece = co_await s_.next_body_piece();
    end_ = piece.end;
    if (piece.end == BodyEnd::more) co_return Piece{End::more, piece.data};
    if (piece.end == BodyEnd::done) co_return Piece{End::done, piece.data};
    co_return Piece{End::failed, {}};
  }
  // Why next() failed.
  BodyEnd end() const { return end_; }

 private:
  HttpSession& s_;
  BodyEnd end_ = BodyEnd::closed;
};

awaitable<Next> HttpSession::serve_write() {
  Http1Body body(*this);
  const WriteOutcome outcome = co_await perform_write(srv_, *w_, body);
  // Whatever this wrote is in the inotify queue now; a GET pipelined behind it, read before the change,
  // must still see it: the next lookup reads the queue as after new input (file_cache.hpp).
  loop_.files.note_input();
  switch (outcome.kind) {
    case WriteOutcome::Kind::stored:
      co_return reply_written(outcome.status, outcome.content_type);
    case WriteOutcome::Kind::rejected: {
      // Part of the body was read and the rest is not wanted: the framing is lost with it.
      if (outcome.body_abandoned) w_->reply.keep_alive = false;
      const Next next = co_await reject_write(outcome.status, outcome.detail, outcome.extra);
      co_return next;
    }
    case WriteOutcome::Kind::body_failed:
      break;
  }
  co_return upload_failed(body.end());
}

}  // namespace endhost::web::detail
