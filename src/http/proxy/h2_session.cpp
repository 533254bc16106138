#include "http/proxy/h2_session.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "http/proxy/route.hpp"
#include "http/proxy/session.hpp"
#include "http/response_parser.hpp"
#include "http2/server_connection.hpp"
#include "http2/server_pump.hpp"

namespace endhost::http::proxy {
namespace {

// A stream's body bytes queued in the connection before its Session waits for them to go: the origin is
// read no faster than the client takes the response (and its flow-control window allows).
constexpr std::uint64_t kStreamHighWater = 256 * 1024;
// File bytes read at a time for a large cached body.
constexpr std::size_t kFilePiece = 64 * 1024;

core::Instant engine_now() {
  return core::SystemClock().now();
}

http2::ConnectionConfig h2_config(const ProxyConfig& cfg) {
  http2::ConnectionConfig c;
  c.stall_timeout = cfg.send_timeout;
  return c;
}

// With streams open and nothing moving, the socket waits as long as an origin may take to answer (each
// stream's own waits have their timeouts), or as long as a CONNECT tunnel may stay idle.
std::chrono::milliseconds active_timeout(const ProxyConfig& cfg) {
  const auto request = cfg.connect_timeout + cfg.upstream_timeout + cfg.read_timeout + cfg.send_timeout;
  return cfg.routes.mode == ProxyMode::forward ? std::max(request, cfg.tunnel_idle_timeout) : request;
}

class H2ProxySession final : private http2::ConnectionHandler,
                             private http2::FrameTrace,
                             private http2::PumpSession {
 public:
  H2ProxySession(ProxyState& state, core::Connection& conn)
      : st_(state),
        conn_(conn),
        loop_(*state.loops[conn.loop().index() % state.loops.size()]),
        shard_(conn.loop().index()),
        h2_(h2_config(state.config), *this, engine_now(),
            state.config.client_transcript.enabled() ? this : nullptr),
        pump_(h2_, conn, *this,
              http2::PumpTimeouts{state.config.send_timeout, state.config.header_timeout,
                                  state.config.idle_timeout, active_timeout(state.config)},
              loop_.h2_input),
        wait_(conn.stream().get_executor()) {
    st_.metrics.open_connections.add(1, shard_);
  }
  ~H2ProxySession() override {
    st_.metrics.open_connections.add(-1, shard_);
    st_.config.client_transcript.note(conn_.peer(), "connection closed");
  }

  awaitable<void> run(std::string& preread);

 private:
  // One request: its owned head, the Session serving it, and the response's way into the connection.
  struct Stream final : StreamSink {
    Stream(H2ProxySession& o, std::uint32_t i)
        : owner(o),
          id(i),
          signal(o.conn_.stream().get_executor()),
          tunnel_signal(o.conn_.stream().get_executor()) {}
    awaitable<bool> send(std::string_view bytes) override;
    awaitable<bool> send_file(int fd, std::uint64_t offset, std::uint64_t count) override;
    awaitable<BodyRead> read_body(std::string& body, BodyReservation& reserved, std::uint64_t limit) override;
    awaitable<TunnelRead> read_tunnel(std::string& out, std::chrono::milliseconds idle) override;
    void end_tunnel() override;
    void fail_tunnel(bool tcp_error) override;
    void wake() {
      signal.cancel();
      tunnel_signal.cancel();
    }

    H2ProxySession& owner;
    std::uint32_t id;
    Request owned;
    std::vector<FieldView> views;
    RequestHead head;
    bool has_body = false;
    std::unique_ptr<Session> session;
    asio::steady_timer signal;  // on_data, on_drained and the stream's end cancel it
    // A tunnel's reader waits on its own timer: send() waits on `signal` meanwhile, and re-arming a timer
    // cancels its other waits.
    asio::steady_timer tunnel_signal;
    std::string body_in;  // DATA received, not yet taken by read_body (bounded by our window)
    bool body_ended = false;
    bool gone = false;     // reset, or the connection ended: nothing more may be submitted
    bool ended = false;    // the connection is done with the stream (on_complete or on_reset)
    bool running = false;  // serve() has not returned
    bool final_sent = false;
    bool end_sent = false;  // a tunnel's END_STREAM went (end_tunnel)
    ResponseParser head_parser;
    std::vector<FieldView> fields;
    std::string piece;
  };

  // http2::ConnectionHandler
  void on_request(std::uint32_t stream, const RequestHead& head, bool end_stream) override;
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override;
  void on_reset(std::uint32_t stream, http2::ErrorCode code, bool by_peer) override;
  void on_complete(std::uint32_t stream) override;
  void on_drained(std::uint32_t stream) override;
  // http2::FrameTrace
  void frame(bool from_client, std::string_view line) override {
    if (from_client) {
      st_.config.client_transcript.client(conn_.peer(), line);
    } else {
      st_.config.client_transcript.server(conn_.peer(), line);
    }
  }

  Stream* find(std::uint32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }
  void end_stream(std::uint32_t id);
  awaitable<void> serve(Stream* s);
  // http2::PumpSession
  awaitable<bool> send_output(const http2::Output& out) override;
  bool busy() const override { return running_ > 0; }
  void kick() { pump_.kick(); }

  ProxyState& st_;
  core::Connection& conn_;
  LoopData& loop_;
  std::size_t shard_;
  http2::ServerConnection h2_;
  http2::ServerPump pump_;
  asio::steady_timer wait_;  // for the streams still running at the end
  std::unordered_map<std::uint32_t, std::unique_ptr<Stream>> streams_;
  std::size_t running_ = 0;
};

// ---- streams -----------------------------------------------------------------------------------------

void H2ProxySession::on_request(std::uint32_t id, const RequestHead& head, bool end_stream) {
  auto s = std::make_unique<Stream>(*this, id);
  http2_request_to_proxy(head, st_.config.routes.mode, s->owned, s->views, s->head);
  s->has_body = !end_stream;
  s->body_ended = end_stream;
  s->session = std::make_unique<Session>(st_, conn_, *s);
  s->running = true;
  ++running_;
  Stream* raw = s.get();
  streams_[id] = std::move(s);
  asio::co_spawn(conn_.stream().get_executor(), serve(raw), asio::detached);
}

awaitable<void> H2ProxySession::serve(Stream* s) {
  const bool complete = co_await s->session->serve_stream(s->head, s->has_body);
  if (!s->gone) {
    // The Session wrote its whole answer: END_STREAM. A body cut short (the origin failed inside it) must
    // not look complete to the client: RST_STREAM, as HTTP/1.1 closes the connection.
    if (complete && s->final_sent) {
      if (!s->end_sent) h2_.submit_data(s->id, {}, true);
    } else {
      h2_.reset(s->id, http2::ErrorCode::internal_error);
    }
    kick();
  }
  s->running = false;
  --running_;
  const std::uint32_t id = s->id;
  if (s->ended) streams_.erase(id);
  kick();
}

void H2ProxySession::end_stream(std::uint32_t id) {
  Stream* s = find(id);
  if (!s) return;
  s->gone = true;
  s->ended = true;
  s->wake();
  if (!s->running) streams_.erase(id);
}

void H2ProxySession::on_data(std::uint32_t id, std::string_view data, bool end) {
  Stream* s = find(id);
  if (!s) {
    h2_.release(id, data.size());
    return;
  }
  s->body_in.append(data);
  if (end) s->body_ended = true;
  s->wake();
}

void H2ProxySession::on_reset(std::uint32_t id, http2::ErrorCode, bool) {
  end_stream(id);
}

void H2ProxySession::on_complete(std::uint32_t id) {
  end_stream(id);
}

void H2ProxySession::on_drained(std::uint32_t id) {
  if (Stream* s = find(id)) s->wake();
}

awaitable<bool> H2ProxySession::Stream::send(std::string_view bytes) {
  if (gone) co_return false;
  http2::ServerConnection& h2 = owner.h2_;
  if (!final_sent) {
    // The head the Session composed for HTTP/1.1, parsed back into a status and fields: the connection
    // drops the connection-specific ones (Connection, Transfer-Encoding, ..., RFC 9113 §8.2.2).
    head_parser.reset(head.method_id);
    auto step = head_parser.parse_head(bytes);
    if (!step || step->progress != Progress::complete) {
      h2.reset(id, http2::ErrorCode::internal_error);
      owner.kick();
      co_return false;
    }
    const ResponseHead& rh = head_parser.head();
    fields.clear();
    for (const FieldView& f : rh.fields) fields.push_back(f);
    const int status = static_cast<int>(to_int(rh.status));
    const bool ok = h2.submit_headers(id, status, fields, false);
    owner.kick();
    if (!ok) co_return false;
    if (status < 200) co_return true;
    final_sent = true;
    // Our own short answers (respond()) come as one string, head and body.
    bytes.remove_prefix(step->consumed);
    if (bytes.empty()) co_return true;
  }
  if (!h2.submit_data(id, bytes, false)) co_return false;
  owner.kick();
  while (!gone && h2.queued(id) > kStreamHighWater) {
    signal.expires_at(std::chrono::steady_clock::time_point::max());
    auto [ec] = co_await signal.async_wait(use_nothrow);
    (void)ec;
  }
  co_return !gone;
}

awaitable<bool> H2ProxySession::Stream::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
  while (count > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(count, kFilePiece));
    piece.resize(want);
    const ssize_t n = ::pread(fd, piece.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) co_return false;  // the file shrank: the body cannot be completed
    piece.resize(static_cast<std::size_t>(n));
    const bool ok = co_await send(piece);
    if (!ok) co_return false;
    offset += static_cast<std::uint64_t>(n);
    count -= static_cast<std::uint64_t>(n);
  }
  co_return true;
}

awaitable<StreamSink::BodyRead> H2ProxySession::Stream::read_body(std::string& body,
                                                                  BodyReservation& reserved,
                                                                  std::uint64_t limit) {
  for (;;) {
    if (!body_in.empty()) {
      const std::size_t n = body_in.size();
      if (body.size() + n > limit) co_return BodyRead::too_large;
      if (!reserved.grow(n)) co_return BodyRead::no_budget;
      body += body_in;
      body_in.clear();
      // Consumed: the client's window reopens (§6.9), within the body limits above.
      owner.h2_.release(id, n);
      owner.kick();
    }
    if (body_ended) co_return BodyRead::ok;
    if (gone) co_return BodyRead::gone;
    // As HTTP/1.1: a silence of read_timeout inside a body is a 408, however long the body takes.
    signal.expires_after(owner.st_.config.read_timeout);
    auto [ec] = co_await signal.async_wait(use_nothrow);
    if (!ec && body_in.empty() && !body_ended && !gone) co_return BodyRead::stalled;
  }
}

awaitable<StreamSink::TunnelRead> H2ProxySession::Stream::read_tunnel(std::string& out,
                                                                      std::chrono::milliseconds idle) {
  for (;;) {
    if (!body_in.empty()) {
      const std::size_t n = body_in.size();
      out += body_in;
      body_in.clear();
      // The client's window reopens as the tunnel takes its bytes: at most one window waits here while the
      // origin is slow to read.
      owner.h2_.release(id, n);
      owner.kick();
      co_return TunnelRead::data;
    }
    if (body_ended) co_return TunnelRead::end;
    if (gone) co_return TunnelRead::gone;
    tunnel_signal.expires_after(idle);
    auto [ec] = co_await tunnel_signal.async_wait(use_nothrow);
    if (!ec && body_in.empty() && !body_ended && !gone) co_return TunnelRead::idle;
  }
}

void H2ProxySession::Stream::end_tunnel() {
  if (gone || end_sent) return;
  end_sent = true;
  owner.h2_.submit_data(id, {}, true);
  owner.kick();
}

void H2ProxySession::Stream::fail_tunnel(bool tcp_error) {
  if (gone) return;
  owner.h2_.reset(id, tcp_error ? http2::ErrorCode::connect_error : http2::ErrorCode::cancel);
  gone = true;
  owner.kick();
}

// ---- I/O ---------------------------------------------------------------------------------------------

awaitable<bool> H2ProxySession::send_output(const http2::Output& out) {
  // No extents: cached bodies come as DATA (Stream::send_file).
  auto [ec, n] = co_await asio::async_write(conn_.stream(), asio::buffer(out.bytes.data(), out.bytes.size()),
                                            use_nothrow);
  (void)n;
  co_return !ec;
}

awaitable<void> H2ProxySession::run(std::string& preread) {
  co_await pump_.run(preread);
  // Streams still being served (a fetch that fills the cache for others) finish without a client.
  for (auto& [id, s] : streams_) {
    s->gone = true;
    s->wake();
  }
  while (running_ > 0) {
    wait_.expires_after(std::chrono::milliseconds(10));
    auto [ec] = co_await wait_.async_wait(use_nothrow);
    (void)ec;
  }
}

}  // namespace

awaitable<void> run_h2_session(ProxyState& state, core::Connection& conn, std::string& preread) {
  // Before the session's first frame (our SETTINGS), so the trace reads in order.
  state.config.client_transcript.note(conn.peer(), conn.stream().is_plain()
                                                       ? "HTTP/2 in clear (h2c, prior knowledge)"
                                                       : "HTTP/2 over TLS (ALPN h2)");
  H2ProxySession session(state, conn);
  co_await session.run(preread);
}

}  // namespace endhost::http::proxy
