#include "http/server/h2_session.hpp"

#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "http/server/access_log_format.hpp"
#include "http/server/exchange.hpp"
#include "http/server/gzip_stream.hpp"
#include "http/server/link_preload.hpp"
#include "http/server/replies.hpp"
#include "http/server/request_router.hpp"
#include "http/server/response.hpp"
#include "http/server/write_handler.hpp"
#include "http2/server_connection.hpp"
#include "http2/server_pump.hpp"
#include "http2/stream_table.hpp"

namespace endhost::web {
namespace {

// Over TLS (sendfile cannot go through OpenSSL) a batch's frame bytes and file bytes are gathered into one
// buffer, the file read straight into the gaps between the frame headers (preadv), and handed to OpenSSL in
// writes of about this much: one SSL_write for many records, one wake-up of the writer for all of them.
constexpr std::size_t kTlsBatch = 256 * 1024;
// Gathering buffers are lent per write by the thread's loop, so an idle TLS connection holds none. The loop
// keeps up to kTlsBatchesKept of at most kTlsBatchKept bytes (small responses), and a few large ones (bulk
// transfers: freeing and growing one again every 512 KiB turn cost page faults and copies).
constexpr std::size_t kTlsBatchKept = 64 * 1024;
constexpr std::size_t kTlsBatchesKept = 64;
constexpr std::size_t kLargeTlsBatchesKept = 4;
// File bytes read and compressed at a time by --compress.
constexpr std::size_t kGzipBlock = 32 * 1024;
// Objects pushed for the `Link: <…>; rel=preload` fields of one response (the --push list is the operator's
// and not bounded here; the connection bounds the pushes in flight either way).
constexpr std::size_t kMaxPreloadPushes = 16;
// Paths the connection remembers as requested or pushed, so that none is pushed again; once full, Link
// pushes stop (the client may have anything by then).
constexpr std::size_t kMaxRememberedPaths = 1024;

// Bytes gathered for one TLS write: like std::string, but room made for file bytes is not zero-filled first
// (pread overwrites it; at 256 KiB a write the memset showed in profiles).
class GatherBuffer {
 public:
  char* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  void clear() noexcept { size_ = 0; }
  void release() noexcept {
    data_.reset();
    size_ = capacity_ = 0;
  }
  // `n` more bytes, left uninitialized; returns where they start.
  std::size_t extend(std::size_t n) {
    const std::size_t at = size_;
    if (capacity_ - size_ < n) {
      const std::size_t cap = std::max(size_ + n, capacity_ * 2);
      auto grown = std::make_unique_for_overwrite<char[]>(cap);
      if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
      data_ = std::move(grown);
      capacity_ = cap;
    }
    size_ += n;
    return at;
  }
  void append(std::string_view bytes) {
    if (bytes.empty()) return;
    const std::size_t at = extend(bytes.size());
    std::memcpy(data_.get() + at, bytes.data(), bytes.size());
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

std::vector<GatherBuffer>& spare_batches() {
  thread_local std::vector<GatherBuffer> spare;
  return spare;
}

// The last buffer given back: a connection in a bulk transfer gets its large one again at once.
GatherBuffer lend_batch() {
  auto& spare = spare_batches();
  if (spare.empty()) return {};
  GatherBuffer b = std::move(spare.back());
  spare.pop_back();
  return b;
}

void give_back(GatherBuffer& b) {
  auto& spare = spare_batches();
  if (b.capacity() == 0) return;
  const bool large = b.capacity() > kTlsBatchKept;
  const auto kept =
      static_cast<std::size_t>(std::count_if(spare.begin(), spare.end(), [&](const GatherBuffer& s) {
        return (s.capacity() > kTlsBatchKept) == large;
      }));
  if (kept < (large ? kLargeTlsBatchesKept : kTlsBatchesKept) && b.capacity() <= 4 * kTlsBatch) {
    b.clear();
    spare.push_back(std::move(b));
  }
  b.release();
}

// The engine's instants come from the program's clock (core/clock.hpp), as everywhere else.
core::Instant engine_now() {
  return core::SystemClock().now();
}

// The HTTP/2 mapping leaves Expect among the fields; RFC 9113 §8.1 keeps its meaning (RFC 9110 §10.1.1).
bool expects_continue(const http::RequestHead& head) {
  const auto expect = head.fields.get("expect");
  return expect && http::iequals(*expect, "100-continue");
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
        pace_(cfg_.limit_rate > 0
                  ? std::optional<core::TokenBucket>(std::in_place, cfg_.limit_rate, engine_now())
                  : std::nullopt),
        pump_(h2_, conn, *this,
              http2::PumpTimeouts{cfg_.send_timeout, cfg_.header_timeout, cfg_.keepalive_timeout,
                                  cfg_.send_timeout},
              loop_.h2_input),
        tls_(!conn.stream().is_plain()) {
    srv_.metrics.open_connections->add(1, loop_.index);
    // The transcript's "HTTP/2 over TLS / in clear" note is run_h2_session's, written before h2_ (above)
    // queued our SETTINGS.
  }
  ~H2WebSession() override {
    for (auto& [id, b] : bodies_) release_body(*b);
    if (cfg_.access_log) cfg_.access_log->flush(loop_.index);
    srv_.metrics.open_connections->add(-1, loop_.index);
    cfg_.transcript.note(conn_.peer(), "connection closed");
  }

  awaitable<void> run(std::string& preread);

 private:
  class StreamBody;
  // A file region one stream's extents are sent from, in body order.
  struct Span {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  struct Body {
    Fd file;
    // The file regions still to send, from spans[spans_head] on: a vector, not a std::deque (which allocates
    // 576 bytes even for the response served from memory, and a pooled body would keep them).
    std::vector<Span> spans;
    std::size_t spans_head = 0;
    bool spans_empty() const { return spans_head == spans.size(); }
    Span& span_front() { return spans[spans_head]; }
    void span_pop() {
      if (++spans_head == spans.size()) {
        spans.clear();
        spans_head = 0;
      }
    }
    std::unique_ptr<GzipStream> gzip;
    std::uint64_t gzip_read = 0;
    std::uint64_t gzip_size = 0;
    std::size_t pending_extents = 0;  // handed to the writer and not yet sent
    bool finished = false;            // the stream is over; erase once no extent is pending
    // For the access log and the metrics.
    std::string log_request, log_referer, log_agent;
    std::string log_user;  // who a write authenticated as
    std::time_t log_time = 0;
    unsigned status = 0;
    std::uint64_t content_bytes = 0;
    std::chrono::steady_clock::time_point started;
    // Back to a new stream's state, keeping the memory of the strings and the spans.
    void reset() {
      file = Fd{};
      spans.clear();
      spans_head = 0;
      gzip.reset();
      gzip_read = gzip_size = 0;
      pending_extents = 0;
      finished = false;
      log_request.clear();
      log_referer.clear();
      log_agent.clear();
      log_user.clear();
      log_time = 0;
      status = 0;
      content_bytes = 0;
      started = {};
    }
  };
  static std::vector<std::unique_ptr<Body>>& spare_bodies() {
    thread_local std::vector<std::unique_ptr<Body>> spare;
    return spare;
  }
  // A stream served by a coroutine (serve_async): a write, whose body arrives in DATA frames, or a request
  // waiting for --sessions' visitor lookup. Its body is held here until the write consumes it; the credit
  // goes back to the client only then, so the stream window (ConnectionConfig::stream_window) bounds what
  // a stream can make us hold.
  struct Async {
    explicit Async(const asio::any_io_executor& ex) : wake(ex) {}
    asio::steady_timer wake;     // cancelled when DATA arrives or the stream ends
    std::string pending;         // received, not yet handed to the write
    std::string current;         // handed to the write, not yet released
    std::uint64_t received = 0;  // body bytes so far
    bool body_ended = false;     // END_STREAM seen
    bool gone = false;           // the stream was reset or the connection is over
  };

  // http2::ConnectionHandler
  void on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) override;
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override;
  void on_reset(std::uint32_t stream, http2::ErrorCode code, bool by_peer) override;
  void on_complete(std::uint32_t stream) override;
  void on_drained(std::uint32_t stream) override;
  void on_extent(std::uint32_t stream, std::uint32_t) override { ++open_body(stream).pending_extents; }
  // http2::FrameTrace
  void frame(bool from_client, std::string_view line) override {
    if (from_client) {
      cfg_.transcript.client(conn_.peer(), line);
    } else {
      cfg_.transcript.server(conn_.peer(), line);
    }
  }

  // Routes and answers one request (a client's, or a promised one's when !may_push).
  void serve(std::uint32_t stream, const http::RequestHead& head, bool may_push, bool end_stream);
  // Pushes (if `may_push`), answers the described request and serves what was promised; gives `w` back.
  void respond(std::uint32_t stream, std::unique_ptr<Work> w, RequestContext& rq, bool may_push);
  // How serve_async begins: `write` (routed to one, prepared in w->write), or routing the request itself
  // after --sessions' visitor lookup (`lookup`) and/or reading and dropping a body no handler uses (`drain`).
  enum class Start : std::uint8_t { write, lookup, drain, lookup_and_drain };
  void start_async(std::uint32_t stream, std::unique_ptr<Work> w, Start start, bool end_stream);
  awaitable<void> serve_async(std::uint32_t stream, std::unique_ptr<Work> w, Start start);
  // Reads and drops the body up to --max-drain-body (or its end, or the stream's).
  awaitable<void> drain_body(StreamBody& body);
  // The stream's head while its coroutine may still answer it, else nullptr.
  const http::RequestHead* live_head(std::uint32_t stream, const Async& a) const {
    return a.gone || closed_ ? nullptr : h2_.request_head(stream);
  }
  // Whether the rest of a body nobody uses is small enough to read and drop (--max-drain-body).
  bool may_drain(const http::Framing& framing, const Async& a) const {
    if (framing.kind != http::BodyKind::length) return true;  // read up to the limit, then cut
    return framing.length <= a.received + cfg_.max_drain_body;
  }
  // The write has consumed a.current: its credit goes back to the client (RFC 9113 §6.9).
  void consumed(std::uint32_t stream, Async& a);
  void end_async(std::uint32_t stream);
  // PUSH_PROMISEs on `stream` for --push's objects of the path and the response's Link rel=preload ones.
  void promise(std::uint32_t stream, const RequestContext& rq, const ResponseHead& response);
  // Remembers that the client has (or is being pushed) `path`.
  void remember(std::string_view path);
  void answer(std::uint32_t stream, Work& w, RequestContext& rq, Body& body);
  void produce_gzip(std::uint32_t stream, Body& body);
  void finish(std::uint32_t stream);
  void release_body(Body& b) {
    if (b.gzip) loop_.gzip.give(std::move(b.gzip));
  }
  // The stream's body state, or nullptr.
  Body* find_body(std::uint32_t stream) {
    std::unique_ptr<Body>* b = bodies_.find(stream);
    return b == nullptr ? nullptr : b->get();
  }
  // The stream's body state, made (from the thread's spare ones) if it has none.
  Body& open_body(std::uint32_t stream);
  // Releases the stream's body state and keeps its memory for the thread's next stream.
  void drop_body(std::uint32_t stream);
  void log(const Body& b);

  // http2::PumpSession
  awaitable<bool> send_output(const http2::Output& out) override;
  void received(std::size_t bytes) override {
    srv_.metrics.bytes_received->inc(bytes, loop_.index);
    loop_.files.note_input();  // the file cache looks for changes before serving what was read
  }
  core::TokenBucket* output_budget() override { return pace_ ? &*pace_ : nullptr; }
  awaitable<bool> send_bytes(std::string_view bytes);
  awaitable<bool> send_extent(Body& body, std::uint64_t length);
  // send_output over TLS: everything gathered into batch_, written in pieces of about kTlsBatch.
  awaitable<bool> send_output_tls(const http2::Output& out);
  // Makes room in batch_ for `length` bytes of `body`'s next spans, to be read by read_gathered().
  void gather_extent(Body& body, std::uint64_t length);
  // Reads the file bytes gather_extent() made room for. false: a file shrank.
  bool read_gathered();

  ServerState& srv_;
  const WebConfig& cfg_;
  LoopState& loop_;
  core::Connection& conn_;
  http2::ServerConnection h2_;
  // --limit-rate; before pump_, which asks for it.
  std::optional<core::TokenBucket> pace_;
  http2::ServerPump pump_;
  bool tls_;
  // Held by pointer: references survive the table's inserts (send_output keeps one across the reader's).
  http2::StreamTable<std::unique_ptr<Body>> bodies_;
  std::vector<http::FieldView> fields_;
  std::string length_text_;
  // TLS: the bytes of one write being gathered (send_output_tls), and where its file bytes go.
  struct Piece {
    int fd;
    std::uint64_t offset;  // in the file
    std::size_t at;        // in batch_
    std::uint64_t length;
  };
  GatherBuffer batch_;
  std::vector<Piece> pieces_;
  bool gather_failed_ = false;
  std::vector<std::uint32_t> pushed_;
  std::vector<std::string> push_paths_;
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, PathHash, std::equal_to<>>
      seen_paths_;  // requested or pushed on this connection (RFC 9113 §8.4)
  bool seen_full_ = false;
  std::unordered_map<std::uint32_t, std::unique_ptr<Async>> async_;
  std::size_t running_ = 0;  // serve_async coroutines not yet returned: the session outlives them
  bool closed_ = false;      // the pump has returned; the streams are over
};

// A write's body as the shared write methods read it (write_handler.hpp): the stream's DATA.
class H2WebSession::StreamBody final : public UploadSource {
 public:
  StreamBody(H2WebSession& session, std::uint32_t stream, Async& a, bool expect_continue)
      : s_(session), stream_(stream), a_(a), expect_continue_(expect_continue) {}
  awaitable<bool> begin() override {
    // RFC 9110 §10.1.1 in HTTP/2 (RFC 9113 §8.1): 100 (Continue) is an interim HEADERS on the stream.
    if (expect_continue_ && !a_.body_ended && s_.live_head(stream_, a_) != nullptr) {
      s_.h2_.submit_headers(stream_, 100, {}, false);
      s_.pump_.kick();
      continued_ = true;
    }
    co_return !a_.gone && !s_.closed_;
  }
  awaitable<Piece> next() override {
    s_.consumed(stream_, a_);
    for (;;) {
      if (a_.gone || s_.closed_) co_return Piece{End::failed, {}};
      if (!a_.pending.empty()) {
        a_.current.swap(a_.pending);  // pending takes current's emptied buffer
        co_return Piece{a_.body_ended ? End::done : End::more, a_.current};
      }
      if (a_.body_ended) co_return Piece{End::done, {}};
      a_.wake.expires_after(s_.cfg_.body_timeout);
      auto [ec] = co_await a_.wake.async_wait(use_nothrow);
      if (!ec) {
        timed_out_ = true;
        co_return Piece{End::failed, {}};
      }
    }
  }
  // The body stopped arriving for --body-timeout (answered 408, as HTTP/1.1 does).
  bool timed_out() const { return timed_out_; }
  // 100 (Continue) was sent.
  bool continued() const { return continued_; }

 private:
  H2WebSession& s_;
  std::uint32_t stream_;
  Async& a_;
  bool expect_continue_;
  bool timed_out_ = false;
  bool continued_ = false;
};

// ---- requests ----------------------------------------------------------------------------------------

void H2WebSession::on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) {
  if (head.method_id == http::Method::get) remember(head.target);
  serve(stream, head, true, end_stream);
}

void H2WebSession::serve(std::uint32_t stream, const http::RequestHead& head, bool may_push,
                         bool end_stream) {
  Body& body = open_body(stream);
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
  w->set_cookie.clear();
  // A body that no handler will use (anything but a write on a writable server) is read and dropped before
  // the answer when it is small, as HTTP/1.1 drains one: answering first would make the stream end with
  // RST_STREAM(NO_ERROR) (§8.1), which clients such as curl 7.88 take for a failure.
  const http::Method m = head.method_id;
  const bool may_write =
      cfg_.writable && (m == http::Method::put || m == http::Method::delete_ || m == http::Method::post);
  const bool drain = may_push && !end_stream && !may_write && !expects_continue(head);
  const bool lookup = cfg_.visitors && may_push;
  if (lookup || drain) {
    // --sessions: the visitor is looked up (on the store's thread) before anything is answered, as over
    // HTTP/1.1: the response may have to set the cookie. A pushed request has no cookie of its own.
    if (lookup) name_visitor(*w, head.fields);
    const Start start = lookup && drain ? Start::lookup_and_drain : lookup ? Start::lookup : Start::drain;
    start_async(stream, std::move(w), start, end_stream);
    return;
  }
  RequestContext rq(srv_, loop_, *w, head, std::time(nullptr));
  aim_request(cfg_, rq);
  const Route route = route_request(cfg_, rq, w->reply);
  if (route == Route::write) {
    prepare_write(rq);
    w->write.expect_continue = expects_continue(head);
    start_async(stream, std::move(w), Start::write, end_stream);
    return;
  }
  if (route == Route::session_info) serve_session_info(rq, w->reply);
  respond(stream, std::move(w), rq, may_push);
}

void H2WebSession::respond(std::uint32_t stream, std::unique_ptr<Work> w, RequestContext& rq, bool may_push) {
  Body* found = find_body(stream);
  if (found == nullptr) {  // cannot happen: serve() made it and the stream is live
    srv_.give_work(loop_, std::move(w));
    return;
  }
  pushed_.clear();
  if (may_push && rq.head.method_id == http::Method::get && w->reply.head.status == http::Status::ok) {
    promise(stream, rq, w->reply.head);
  }
  answer(stream, *w, rq, *found);
  srv_.give_work(loop_, std::move(w));
  // The promised responses, served like requests once the page's own is under way (RFC 9113 §8.4.2).
  const std::vector<std::uint32_t> promised = pushed_;
  for (std::uint32_t id : promised) {
    if (const http::RequestHead* h = h2_.request_head(id)) serve(id, *h, false, true);
  }
}

// ---- streams served by a coroutine (writes, --sessions) ---------------------------------------------

void H2WebSession::start_async(std::uint32_t stream, std::unique_ptr<Work> w, Start start, bool end_stream) {
  auto a = std::make_unique<Async>(conn_.stream().get_executor());
  a->body_ended = end_stream;
  async_[stream] = std::move(a);
  ++running_;
  asio::co_spawn(conn_.stream().get_executor(), serve_async(stream, std::move(w), start), asio::detached);
}

awaitable<void> H2WebSession::serve_async(std::uint32_t stream, std::unique_ptr<Work> w, Start start) {
  Async& a = *async_[stream];  // stays put: the map holds it by pointer until end_async
  bool write = start == Start::write;
  if (start == Start::lookup || start == Start::lookup_and_drain) co_await look_up_visitor(srv_, *w);
  if (start == Start::drain || start == Start::lookup_and_drain) {
    const http::RequestHead* head = live_head(stream, a);
    if (head != nullptr && may_drain(head->framing, a)) {
      StreamBody body(*this, stream, a, false);
      co_await drain_body(body);
    }
  }
  if (!write) {
    if (const http::RequestHead* head = live_head(stream, a)) {
      RequestContext rq(srv_, loop_, *w, *head, std::time(nullptr));
      rq.set_cookie = w->set_cookie;
      rq.private_response = !w->set_cookie.empty();
      aim_request(cfg_, rq);
      const Route route = route_request(cfg_, rq, w->reply);
      if (route == Route::write) {
        prepare_write(rq);
        w->write.expect_continue = expects_continue(*head);
        write = true;
      } else {
        if (route == Route::session_info) serve_session_info(rq, w->reply);
        end_async(stream);
        respond(stream, std::move(w), rq, true);
      }
    }
  }
  if (write) {
    StreamBody body(*this, stream, a, w->write.expect_continue);
    const WriteOutcome outcome = co_await perform_write(srv_, *w, body);
    // What this wrote is in the inotify queue now: the next lookup on any stream reads it (file_cache.hpp).
    loop_.files.note_input();
    if (Body* b = find_body(stream); b != nullptr && cfg_.access_log) b->log_user = w->write.user;
    // A client waiting for 100 (Continue) that never came is not sending the body: nothing to drain.
    const bool waiting = w->write.expect_continue && !body.continued();
    if (outcome.kind == WriteOutcome::Kind::rejected && !a.body_ended && !waiting &&
        may_drain(w->write.framing, a)) {
      // Refused while the body still comes. RFC 9113 §8.1 lets the answer go now with RST_STREAM(NO_ERROR)
      // after it (what happens past this), but clients such as curl 7.88 take that for a failure of the
      // upload and show no answer. So a small rest is read and dropped first, as HTTP/1.1 drains one
      // (--max-drain-body); a larger one is cut.
      co_await drain_body(body);
    }
    const http::RequestHead* head = live_head(stream, a);
    const bool timed_out = outcome.kind == WriteOutcome::Kind::body_failed && body.timed_out();
    if (head != nullptr && (outcome.kind != WriteOutcome::Kind::body_failed || timed_out)) {
      RequestContext rq(srv_, loop_, *w, *head, std::time(nullptr));
      rq.set_cookie = w->set_cookie;
      rq.private_response = !w->set_cookie.empty();
      if (outcome.kind == WriteOutcome::Kind::stored) {
        describe_stored(rq, outcome.status, outcome.content_type);
      } else if (timed_out) {
        reply_error(rq, w->reply, http::Status::request_timeout, "The request body stopped arriving.");
      } else {
        // RFC 9113 §8.1: an answer before the body's end ends our side; the core then resets the stream
        // with NO_ERROR so the client stops sending what is not wanted.
        reply_error(rq, w->reply, outcome.status, outcome.detail, outcome.extra);
      }
      end_async(stream);
      respond(stream, std::move(w), rq, false);
    }
  }
  // Reset, gone or answered: what is left of the body is not wanted (a partial upload was never
  // published: its unnamed temporary vanished with the write's DurableFileWriter).
  if (w) srv_.give_work(loop_, std::move(w));
  end_async(stream);
  --running_;
  pump_.kick();
}

awaitable<void> H2WebSession::drain_body(StreamBody& body) {
  std::uint64_t dropped = 0;
  while (dropped <= cfg_.max_drain_body) {
    const UploadSource::Piece piece = co_await body.next();
    if (piece.end == UploadSource::End::failed) break;
    dropped += piece.data.size();
    if (piece.end == UploadSource::End::done) break;
  }
}

void H2WebSession::consumed(std::uint32_t stream, Async& a) {
  if (a.current.empty()) return;
  if (!a.gone && !closed_) h2_.release(stream, a.current.size());
  a.current.clear();
  pump_.kick();  // a WINDOW_UPDATE may be due
}

void H2WebSession::end_async(std::uint32_t stream) {
  auto it = async_.find(stream);
  if (it == async_.end()) return;
  Async& a = *it->second;
  if (!a.gone && !closed_) h2_.release(stream, a.pending.size() + a.current.size());
  async_.erase(it);
}

void H2WebSession::remember(std::string_view path) {
  if (seen_paths_.size() >= kMaxRememberedPaths) {
    seen_full_ = true;
    return;
  }
  if (!seen_paths_.contains(path)) seen_paths_.emplace(path);  // emplace would make a node first
}

void H2WebSession::promise(std::uint32_t stream, const RequestContext& rq, const ResponseHead& response) {
  if (!h2_.peer_settings().enable_push) return;  // SETTINGS_ENABLE_PUSH=0 (§6.5.2)
  // --push PATH=URL,…: the objects the page will ask for, promised before its own DATA (RFC 9113 §8.4.1).
  push_paths_.clear();
  for (const auto& [path, urls] : cfg_.push) {
    if (path == rq.path) push_paths_.insert(push_paths_.end(), urls.begin(), urls.end());
  }
  const std::size_t configured = push_paths_.size();
  // The response's own `Link: <…>; rel=preload` (--add-header, or whatever a handler sets): same-origin
  // targets only, a bounded number of them.
  const LinkBase base{tls_ ? "https" : "http", rq.head.host, rq.path};
  for (std::size_t i = 0; i < response.size(); ++i) {
    const auto f = response.field(i);
    if (http::iequals(f.name, "link"))
      append_preload_paths(f.value, base, push_paths_, configured + kMaxPreloadPushes);
  }
  for (std::size_t i = 0; i < push_paths_.size(); ++i) {
    const std::string& url = push_paths_[i];
    // Never what the client asked for on this connection, or was pushed already: it has it, or is getting
    // it (§8.4: a push the client does not need is bandwidth wasted, or a RST_STREAM from it).
    if (i >= configured && seen_full_) break;
    if (seen_paths_.contains(url)) continue;
    const http::FieldView request[] = {{":method", "GET"},
                                       {":scheme", tls_ ? "https" : "http"},
                                       {":authority", rq.head.host},
                                       {":path", url}};
    const auto id = h2_.push(stream, request);  // nullopt: SETTINGS_ENABLE_PUSH=0, or too many in flight
    if (!id) return;
    remember(url);
    pushed_.push_back(*id);
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
  if (Body* b = find_body(stream); b != nullptr && b->gzip) produce_gzip(stream, *b);
}

void H2WebSession::on_data(std::uint32_t stream, std::string_view data, bool end_stream) {
  auto it = async_.find(stream);
  if (it == async_.end()) {
    // Read requests carry no body worth keeping (nor does a write already answered); its credit goes back
    // at once.
    h2_.release(stream, data.size());
    return;
  }
  Async& a = *it->second;
  a.pending.append(data);
  a.received += data.size();
  if (end_stream) a.body_ended = true;
  a.wake.cancel();
}

void H2WebSession::log(const Body& b) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - b.started).count();
  if (b.status != 0) srv_.metrics.response(b.status, seconds, loop_.index);
  if (!cfg_.access_log || b.status == 0) return;
  AccessLogEntry e;
  e.remote = remote_host(conn_.peer());
  e.user = b.log_user;
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
  Body* b = find_body(stream);
  if (b == nullptr) return;
  b->finished = true;
  if (b->pending_extents > 0) return;  // the writer still sends from its file
  drop_body(stream);
}

namespace {
// Closed streams' body states, reused by the thread's connections (each keeps its strings' and spans'
// memory): up to this many.
constexpr std::size_t kSpareBodies = 1024;
}  // namespace

H2WebSession::Body& H2WebSession::open_body(std::uint32_t stream) {
  std::unique_ptr<Body>& slot = bodies_[stream];
  if (slot) return *slot;
  auto& spare = spare_bodies();
  if (!spare.empty()) {
    slot = std::move(spare.back());
    spare.pop_back();
  } else {
    slot = std::make_unique<Body>();
  }
  return *slot;
}

void H2WebSession::drop_body(std::uint32_t stream) {
  std::unique_ptr<Body>* slot = bodies_.find(stream);
  if (slot == nullptr) return;
  std::unique_ptr<Body> b = std::move(*slot);
  bodies_.erase(stream);
  release_body(*b);
  auto& spare = spare_bodies();
  if (spare.size() >= kSpareBodies) return;
  b->reset();
  spare.push_back(std::move(b));
}

void H2WebSession::on_complete(std::uint32_t stream) {
  if (Body* b = find_body(stream)) log(*b);
  finish(stream);
}

void H2WebSession::on_reset(std::uint32_t stream, http2::ErrorCode, bool) {
  if (auto it = async_.find(stream); it != async_.end()) {
    it->second->gone = true;  // its coroutine ends at its next step; nothing is published
    it->second->wake.cancel();
  }
  if (Body* b = find_body(stream)) {
    // Logged as HTTP/1.1 logs an aborted response: its status, with the bytes that were meant to go.
    log(*b);
    b->gzip_size = b->gzip_read;  // no more blocks
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
    if (body.spans_empty()) co_return false;  // cannot happen: extents follow the spans
    const Span first = body.span_front();     // a copy: the vector may move while this waits on the socket
    const std::uint64_t n = std::min(length, first.length);
    {
      // sendfile(2): from the page cache to the socket without a copy through user space.
      std::uint64_t done = 0;
      const int sock = conn_.stream().native_handle();
      while (done < n) {
        off_t off = static_cast<off_t>(first.offset + done);
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
    Span& span = body.span_front();
    span.offset += n;
    span.length -= n;
    length -= n;
    if (span.length == 0) body.span_pop();
  }
  co_return true;
}

void H2WebSession::gather_extent(Body& body, std::uint64_t length) {
  // Only the places are taken here (offsets into batch_, which may still grow); read_gathered() fills them.
  while (length > 0 && !body.spans_empty()) {
    Span& span = body.span_front();
    const std::uint64_t n = std::min(length, span.length);
    const std::size_t at = batch_.extend(static_cast<std::size_t>(n));
    pieces_.push_back({body.file.get(), span.offset, at, n});
    span.offset += n;
    span.length -= n;
    length -= n;
    if (span.length == 0) body.span_pop();
  }
  if (length > 0) gather_failed_ = true;  // cannot happen: extents follow the spans
}

bool H2WebSession::read_gathered() {
  // The pieces of one file that follow each other in it (a stream's DATA frames, with their headers between
  // them in batch_) are read with one preadv(2).
  std::size_t i = 0;
  while (i < pieces_.size()) {
    iovec iov[IOV_MAX < 64 ? IOV_MAX : 64];
    std::size_t count = 0;
    std::uint64_t want = 0;
    const int fd = pieces_[i].fd;
    const std::uint64_t offset = pieces_[i].offset;
    while (i < pieces_.size() && count < std::size(iov) && pieces_[i].fd == fd &&
           pieces_[i].offset == offset + want) {
      iov[count++] = {batch_.data() + pieces_[i].at, static_cast<std::size_t>(pieces_[i].length)};
      want += pieces_[i].length;
      ++i;
    }
    iovec* next = iov;
    std::size_t left = count;
    std::uint64_t got = 0;
    while (got < want) {
      const ssize_t r = ::preadv(fd, next, static_cast<int>(left), static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;  // the file shrank: the frames cannot be completed
      got += static_cast<std::uint64_t>(r);
      auto done = static_cast<std::size_t>(r);
      while (left > 0 && done >= next->iov_len) {
        done -= next->iov_len;
        ++next;
        --left;
      }
      if (left > 0) {
        next->iov_base = static_cast<char*>(next->iov_base) + done;
        next->iov_len -= done;
      }
    }
  }
  pieces_.clear();
  return true;
}

awaitable<bool> H2WebSession::send_output_tls(const http2::Output& out) {
  // One buffer: the frame bytes with each extent's file bytes in its place, read there (no copy), handed to
  // OpenSSL in writes of about kTlsBatch.
  std::size_t pos = 0;
  const std::string_view bytes = out.bytes;
  batch_ = lend_batch();
  pieces_.clear();
  gather_failed_ = false;
  bool ok = true;
  for (const http2::Output::Extent& e : out.extents) {
    batch_.append(bytes.substr(pos, e.at - pos));
    pos = e.at;
    Body* found = find_body(e.stream);
    if (found == nullptr) co_return false;  // cannot happen: the body waits for its extents
    Body& body = *found;
    gather_extent(body, e.length);
    if (--body.pending_extents == 0 && body.finished) {
      ok = ok && read_gathered();  // before its file closes
      drop_body(e.stream);
    }
    if (batch_.size() >= kTlsBatch) {
      if (!ok || gather_failed_ || !read_gathered()) co_return false;
      const bool sent = co_await send_bytes(batch_.view());
      if (!sent) co_return false;
      batch_.clear();
    }
  }
  batch_.append(bytes.substr(pos));
  ok = ok && !gather_failed_ && read_gathered();
  if (ok) {
    const bool sent = co_await send_bytes(batch_.view());
    ok = sent;
  }
  give_back(batch_);
  co_return ok;
}

awaitable<bool> H2WebSession::send_output(const http2::Output& out) {
  if (tls_) co_return co_await send_output_tls(out);
  std::size_t pos = 0;
  const std::string_view bytes = out.bytes;
  for (const http2::Output::Extent& e : out.extents) {
    const bool head_ok = co_await send_bytes(bytes.substr(pos, e.at - pos));
    if (!head_ok) co_return false;
    pos = e.at;
    Body* found = find_body(e.stream);
    if (found == nullptr) co_return false;  // cannot happen: the body waits for its extents
    Body& body = *found;                    // held by pointer: survives the reader's inserts into the table
    const bool ok = co_await send_extent(body, e.length);
    if (!ok) co_return false;
    if (--body.pending_extents == 0 && body.finished) drop_body(e.stream);
  }
  const bool tail_ok = co_await send_bytes(bytes.substr(pos));
  co_return tail_ok;
}

awaitable<void> H2WebSession::run(std::string& preread) {
  co_await pump_.run(preread);
  // The streams are over: the coroutines still serving some end at their next step (a blocking job such as
  // an fsync finishes first), and this session, which they use, waits for them.
  closed_ = true;
  for (auto& [id, a] : async_) {
    a->gone = true;
    a->wake.cancel();
  }
  asio::steady_timer wait(conn_.stream().get_executor());
  while (running_ > 0) {
    wait.expires_after(std::chrono::milliseconds(10));
    auto [ec] = co_await wait.async_wait(use_nothrow);
    (void)ec;
  }
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
