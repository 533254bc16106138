#include "http/server/h2_session.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "http/server/access_log_format.hpp"
#include "http/server/exchange.hpp"
#include "http/server/gzip_stream.hpp"
#include "http/server/replies.hpp"
#include "http/server/request_router.hpp"
#include "http/server/response.hpp"
#include "http2/server_connection.hpp"
#include "http2/server_pump.hpp"

namespace endhost::web {
namespace {

// One frame's worth of file, read for TLS (sendfile cannot go through OpenSSL).
constexpr std::size_t kTlsPiece = 16 * 1024;
// File bytes read and compressed at a time by --compress.
constexpr std::size_t kGzipBlock = 32 * 1024;

// The engine's instants come from the program's clock (core/clock.hpp), as everywhere else.
core::Instant engine_now() {
  return core::SystemClock().now();
}

http2::ConnectionConfig h2_config(const WebConfig& cfg) {
  http2::ConnectionConfig c;
  c.stall_timeout = cfg.send_timeout;
  return c;
}

class H2WebSession final : private http2::ConnectionHandler,
                           private http2::FrameTrace,
                           private http2::PumpSession {
 public:
  H2WebSession(ServerState& server, core::Connection& conn)
      : srv_(server),
        cfg_(server.config),
        loop_(*server.loops[conn.loop().index()]),
        conn_(conn),
        h2_(h2_config(cfg_), *this, engine_now(), cfg_.transcript.enabled() ? this : nullptr),
        pump_(h2_, conn, *this,
              http2::PumpTimeouts{cfg_.send_timeout, cfg_.header_timeout, cfg_.keepalive_timeout,
                                  cfg_.send_timeout},
              loop_.h2_input),
        tls_(!conn.stream().is_plain()) {
    srv_.metrics.open_connections->add(1, loop_.index);
    cfg_.transcript.note(conn_.peer(),
                         tls_ ? "HTTP/2 over TLS (ALPN h2)" : "HTTP/2 in clear (h2c, prior knowledge)");
  }
  ~H2WebSession() override {
    for (auto& [id, b] : bodies_) release_body(b);
    if (cfg_.access_log) cfg_.access_log->flush(loop_.index);
    srv_.metrics.open_connections->add(-1, loop_.index);
    cfg_.transcript.note(conn_.peer(), "connection closed");
  }

  awaitable<void> run(std::string& preread);

 private:
  // A file region one stream's extents are sent from, in body order.
  struct Span {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  struct Body {
    Fd file;
    std::deque<Span> spans;
    std::unique_ptr<GzipStream> gzip;
    std::uint64_t gzip_read = 0;
    std::uint64_t gzip_size = 0;
    std::size_t pending_extents = 0;  // handed to the writer and not yet sent
    bool finished = false;            // the stream is over; erase once no extent is pending
    // For the access log and the metrics.
    std::string log_request, log_referer, log_agent;
    std::time_t log_time = 0;
    unsigned status = 0;
    std::uint64_t content_bytes = 0;
    std::chrono::steady_clock::time_point started;
  };

  // http2::ConnectionHandler
  void on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) override;
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override;
  void on_reset(std::uint32_t stream, http2::ErrorCode code, bool by_peer) override;
  void on_complete(std::uint32_t stream) override;
  void on_drained(std::uint32_t stream) override;
  void on_extent(std::uint32_t stream, std::uint32_t) override { ++bodies_[stream].pending_extents; }
  // http2::FrameTrace
  void frame(bool from_client, std::string_view line) override {
    if (from_client) {
      cfg_.transcript.client(conn_.peer(), line);
    } else {
      cfg_.transcript.server(conn_.peer(), line);
    }
  }

  // Routes and answers one request (a client's, or a promised one's when !may_push).
  void serve(std::uint32_t stream, const http::RequestHead& head, bool may_push);
  void promise(std::uint32_t stream, const RequestContext& rq);
  void answer(std::uint32_t stream, Work& w, RequestContext& rq, Body& body);
  void produce_gzip(std::uint32_t stream, Body& body);
  void finish(std::uint32_t stream);
  void release_body(Body& b) {
    if (b.gzip) loop_.gzip.give(std::move(b.gzip));
  }
  void log(const Body& b);

  // http2::PumpSession
  awaitable<bool> send_output(const http2::Output& out) override;
  void received(std::size_t bytes) override {
    srv_.metrics.bytes_received->inc(bytes, loop_.index);
    loop_.files.note_input();  // the file cache looks for changes before serving what was read
  }
  awaitable<bool> send_bytes(std::string_view bytes);
  awaitable<bool> send_extent(Body& body, std::uint64_t length);

  ServerState& srv_;
  const WebConfig& cfg_;
  LoopState& loop_;
  core::Connection& conn_;
  http2::ServerConnection h2_;
  http2::ServerPump pump_;
  bool tls_;
  std::unordered_map<std::uint32_t, Body> bodies_;
  std::vector<http::FieldView> fields_;
  std::string length_text_;
  std::string file_piece_;
  std::vector<std::uint32_t> pushed_;
};

// ---- requests ----------------------------------------------------------------------------------------

void H2WebSession::on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) {
  (void)end_stream;  // a body on a read request is read and dropped (on_data)
  serve(stream, head, true);
}

void H2WebSession::serve(std::uint32_t stream, const http::RequestHead& head, bool may_push) {
  Body& body = bodies_[stream];
  body.started = std::chrono::steady_clock::now();
  if (cfg_.access_log) {
    body.log_time = std::time(nullptr);
    body.log_request.assign(head.method);
    body.log_request += ' ';
    body.log_request += head.target;
    body.log_request += " HTTP/2.0";
    body.log_referer.assign(head.fields.get("referer").value_or(""));
    body.log_agent.assign(head.fields.get("user-agent").value_or(""));
  }
  std::unique_ptr<Work> w = srv_.take_work(loop_);
  w->reply.reset();
  RequestContext rq(srv_, loop_, *w, head, std::time(nullptr));
  aim_request(cfg_, rq);
  const Route route = route_request(cfg_, rq, w->reply);
  if (route != Route::answered) {
    // Uploads (their bodies arrive as DATA here, not on the socket) and the --sessions visitor lookup are
    // the HTTP/1.1 session's steps; RFC 9113 §7: HTTP_1_1_REQUIRED, on which clients such as curl retry the
    // request over HTTP/1.1.
    srv_.give_work(loop_, std::move(w));
    h2_.reset(stream, may_push ? http2::ErrorCode::http_1_1_required : http2::ErrorCode::cancel);
    return;
  }
  pushed_.clear();
  if (may_push && head.method_id == http::Method::get && w->reply.head.status == http::Status::ok) {
    promise(stream, rq);
  }
  answer(stream, *w, rq, body);
  srv_.give_work(loop_, std::move(w));
  // The promised responses, served like requests once the page's own is under way (RFC 9113 §8.4.2).
  const std::vector<std::uint32_t> promised = pushed_;
  for (std::uint32_t id : promised) {
    if (const http::RequestHead* h = h2_.request_head(id)) serve(id, *h, false);
  }
}

void H2WebSession::promise(std::uint32_t stream, const RequestContext& rq) {
  // --push PATH=URL,…: the objects the page will ask for, promised before its own DATA (RFC 9113 §8.4.1).
  for (const auto& [path, urls] : cfg_.push) {
    if (path != rq.path) continue;
    for (const std::string& url : urls) {
      const http::FieldView request[] = {{":method", "GET"},
                                         {":scheme", tls_ ? "https" : "http"},
                                         {":authority", rq.head.host},
                                         {":path", url}};
      const auto id = h2_.push(stream, request);  // nullopt: SETTINGS_ENABLE_PUSH=0, or too many in flight
      if (!id) return;
      pushed_.push_back(*id);
    }
  }
}

void H2WebSession::answer(std::uint32_t stream, Work& w, RequestContext& rq, Body& body) {
  Reply& reply = w.reply;
  const ResponseHead& head = reply.head;
  const bool head_only = rq.head.method_id == http::Method::head;
  // The fields: Server and Date as HTTP/1.1 sends them, then the handler's, the length at its place
  // (RFC 9113 §8.2.2: nothing connection-specific; the connection lowercases the names).
  fields_.clear();
  fields_.push_back({"server", kServerName});
  fields_.push_back({"date", rq.date});
  const bool has_length = head.length() == ResponseHead::Length::known;
  if (has_length) {
    length_text_.clear();
    append_decimal(length_text_, head.content_length());
  }
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (has_length && i == head.length_position()) fields_.push_back({"content-length", length_text_});
    const auto f = head.field(i);
    fields_.push_back({f.name, f.value});
  }
  if (has_length && head.length_position() >= head.size())
    fields_.push_back({"content-length", length_text_});
  body.status = http::to_int(head.status);
  PendingBody& pending = reply.body;
  const bool no_content = head_only || pending.kind == PendingBody::Kind::none;
  if (!h2_.submit_headers(stream, static_cast<int>(body.status), fields_, no_content)) return;
  if (no_content) return;
  switch (pending.kind) {
    case PendingBody::Kind::none:
      break;
    case PendingBody::Kind::memory:
      body.content_bytes = w.body.size();
      h2_.submit_data(stream, w.body, true);
      break;
    case PendingBody::Kind::file:
      body.file = std::move(pending.file);
      body.spans.push_back({pending.offset, pending.length});
      body.content_bytes = pending.length;
      h2_.submit_extent(stream, pending.length, true);
      break;
    case PendingBody::Kind::byteranges: {
      // RFC 9110 §14.6: each part's header in memory, its range from the file, then the closing boundary.
      body.file = std::move(pending.file);
      for (const auto& part : pending.parts->parts) {
        h2_.submit_data(stream, part.header, false);
        body.spans.push_back({part.range.first, part.range.length()});
        h2_.submit_extent(stream, part.range.length(), false);
      }
      h2_.submit_data(stream, pending.parts->trailer, true);
      body.content_bytes = pending.parts->total_length;
      break;
    }
    case PendingBody::Kind::gzip:
      body.file = std::move(pending.file);
      body.gzip = loop_.gzip.take();
      body.gzip_size = pending.length;
      if (!body.gzip || !body.gzip->ok()) {
        h2_.reset(stream, http2::ErrorCode::internal_error);
        return;
      }
      body.gzip->reset();
      produce_gzip(stream, body);
      break;
  }
}

void H2WebSession::produce_gzip(std::uint32_t stream, Body& body) {
  // One block at a time, as the stream drains: a large file never sits compressed in memory.
  std::string out;
  std::string block;
  while (out.empty()) {
    const std::uint64_t left = body.gzip_size - body.gzip_read;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kGzipBlock));
    block.resize(want);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n =
          ::pread(body.file.get(), block.data() + got, want - got, static_cast<off_t>(body.gzip_read + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (got < want) {  // the file shrank under us: the response cannot be completed
      h2_.reset(stream, http2::ErrorCode::internal_error);
      return;
    }
    body.gzip_read += got;
    const bool last = body.gzip_read == body.gzip_size;
    if (!body.gzip->write(std::string_view(block.data(), got), out, last)) {
      h2_.reset(stream, http2::ErrorCode::internal_error);
      return;
    }
    if (last) {
      body.content_bytes += out.size();
      h2_.submit_data(stream, out, true);
      return;
    }
  }
  body.content_bytes += out.size();
  h2_.submit_data(stream, out, false);
}

void H2WebSession::on_drained(std::uint32_t stream) {
  auto it = bodies_.find(stream);
  if (it != bodies_.end() && it->second.gzip) produce_gzip(stream, it->second);
}

void H2WebSession::on_data(std::uint32_t stream, std::string_view data, bool) {
  // Read requests carry no body worth keeping; its credit goes back at once.
  h2_.release(stream, data.size());
}

void H2WebSession::log(const Body& b) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - b.started).count();
  if (b.status != 0) srv_.metrics.response(b.status, seconds, loop_.index);
  if (!cfg_.access_log || b.status == 0) return;
  AccessLogEntry e;
  e.remote = remote_host(conn_.peer());
  e.time = b.log_time != 0 ? b.log_time : std::time(nullptr);
  e.request = b.log_request;
  e.status = b.status;
  e.bytes = b.content_bytes;
  e.referer = b.log_referer;
  e.user_agent = b.log_agent;
  append_combined_log_line(cfg_.access_log->buffer(loop_.index), e);
  cfg_.access_log->flush_if_full(loop_.index);
}

void H2WebSession::finish(std::uint32_t stream) {
  auto it = bodies_.find(stream);
  if (it == bodies_.end()) return;
  it->second.finished = true;
  if (it->second.pending_extents > 0) return;  // the writer still sends from its file
  release_body(it->second);
  bodies_.erase(it);
}

void H2WebSession::on_complete(std::uint32_t stream) {
  if (auto it = bodies_.find(stream); it != bodies_.end()) log(it->second);
  finish(stream);
}

void H2WebSession::on_reset(std::uint32_t stream, http2::ErrorCode, bool) {
  if (auto it = bodies_.find(stream); it != bodies_.end()) {
    // Logged as HTTP/1.1 logs an aborted response: its status, with the bytes that were meant to go.
    log(it->second);
    it->second.gzip_size = it->second.gzip_read;  // no more blocks
  }
  finish(stream);
}

// ---- I/O ---------------------------------------------------------------------------------------------

awaitable<bool> H2WebSession::send_bytes(std::string_view bytes) {
  if (bytes.empty()) co_return true;
  conn_.expires_after(cfg_.send_timeout);
  auto [ec, n] =
      co_await asio::async_write(conn_.stream(), asio::buffer(bytes.data(), bytes.size()), use_nothrow);
  (void)n;
  if (!ec) srv_.metrics.bytes_sent->inc(bytes.size(), loop_.index);
  co_return !ec;
}

awaitable<bool> H2WebSession::send_extent(Body& body, std::uint64_t length) {
  while (length > 0) {
    if (body.spans.empty()) co_return false;  // cannot happen: extents follow the spans
    Span& span = body.spans.front();
    const std::uint64_t n = std::min(length, span.length);
    if (tls_) {
      // Through OpenSSL: read a piece, write it as one record.
      std::uint64_t done = 0;
      while (done < n) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n - done, kTlsPiece));
        file_piece_.resize(want);
        std::size_t got = 0;
        while (got < want) {
          const ssize_t r = ::pread(body.file.get(), file_piece_.data() + got, want - got,
                                    static_cast<off_t>(span.offset + done + got));
          if (r < 0 && errno == EINTR) continue;
          if (r <= 0) co_return false;  // the file shrank: the frame cannot be completed
          got += static_cast<std::size_t>(r);
        }
        const bool ok = co_await send_bytes(file_piece_);
        if (!ok) co_return false;
        done += want;
      }
    } else {
      // sendfile(2): from the page cache to the socket without a copy through user space.
      std::uint64_t done = 0;
      const int sock = conn_.stream().native_handle();
      while (done < n) {
        off_t off = static_cast<off_t>(span.offset + done);
        const ssize_t r = ::sendfile(sock, body.file.get(), &off, static_cast<std::size_t>(n - done));
        if (r > 0) {
          done += static_cast<std::uint64_t>(r);
          srv_.metrics.bytes_sent->inc(static_cast<std::uint64_t>(r), loop_.index);
          continue;
        }
        if (r == 0) co_return false;  // the file shrank
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
        conn_.expires_after(cfg_.send_timeout);
        auto [ec] =
            co_await conn_.stream().lowest_layer().async_wait(asio::socket_base::wait_write, use_nothrow);
        if (ec) co_return false;
      }
    }
    span.offset += n;
    span.length -= n;
    length -= n;
    if (span.length == 0) body.spans.pop_front();
  }
  co_return true;
}

awaitable<bool> H2WebSession::send_output(const http2::Output& out) {
  std::size_t pos = 0;
  const std::string_view bytes = out.bytes;
  for (const http2::Output::Extent& e : out.extents) {
    const bool head_ok = co_await send_bytes(bytes.substr(pos, e.at - pos));
    if (!head_ok) co_return false;
    pos = e.at;
    auto found = bodies_.find(e.stream);
    if (found == bodies_.end()) co_return false;  // cannot happen: the body waits for its extents
    Body& body = found->second;  // references into the map survive the reader's inserts; iterators may not
    const bool ok = co_await send_extent(body, e.length);
    if (!ok) co_return false;
    if (--body.pending_extents == 0 && body.finished) {
      release_body(body);
      bodies_.erase(e.stream);
    }
  }
  const bool tail_ok = co_await send_bytes(bytes.substr(pos));
  co_return tail_ok;
}

awaitable<void> H2WebSession::run(std::string& preread) {
  co_await pump_.run(preread);
}

}  // namespace

awaitable<void> run_h2_session(ServerState& server, core::Connection& conn, std::string& preread) {
  // Before the session's first frame (our SETTINGS), so the trace reads in order.
  server.config.transcript.note(conn.peer(), conn.stream().is_plain()
                                                 ? "HTTP/2 in clear (h2c, prior knowledge)"
                                                 : "HTTP/2 over TLS (ALPN h2)");
  H2WebSession session(server, conn);
  co_await session.run(preread);
}

}  // namespace endhost::web
