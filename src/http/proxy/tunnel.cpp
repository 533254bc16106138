// CONNECT (RFC 9110 §9.3.6): a forward proxy opens a TCP connection to host:port, answers 2xx, and then
// relays bytes both ways without looking at them (HTTPS through the proxy). Only to allowed ports: an open
// CONNECT proxy would let anyone reach SMTP or SSH servers through it. Over HTTP/1.1 the client connection
// becomes the tunnel; over HTTP/2 one stream does (RFC 9113 §8.5), its DATA frames carrying the bytes.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/host_port.hpp"
#include "http/proxy/session.hpp"

namespace endhost::http::proxy {

namespace {

// Copies `from` → `to` until EOF or an error. On EOF the other direction may still carry data, so only our
// sending half to `to` is shut down; on an error both sockets close, which ends the other pump too. Each
// transfer in either direction pushes both deadlines back: an idle tunnel is one where nothing moves.
awaitable<std::uint64_t> pump(core::Stream& from, core::Stream& to, core::Connection& client,
                              core::Deadline& upstream_deadline, std::chrono::milliseconds idle) {
  std::array<char, 16 * 1024> buf;
  std::uint64_t total = 0;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), use_nothrow);
    if (n > 0) {
      client.expires_after(idle);
      upstream_deadline.expires_after(idle);
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n), use_nothrow);
      total += w;
      if (wec) ec = wec;
    }
    if (ec == asio::error::eof) {
      to.shutdown_send();
      co_return total;
    }
    if (ec) {
      from.close();
      to.close();
      co_return total;
    }
  }
}

// A TCP reset to the origin: RFC 9113 §8.5 asks for one when the stream or the HTTP/2 connection fails.
void reset_tcp(UpstreamConnection& up) {
  boost::system::error_code ignored;
  up.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  up.stream().close();
}

// One HTTP/2 tunnel's two directions. Either one may end the tunnel for both: the client resetting the
// stream resets the TCP connection, a TCP error resets the stream (CONNECT_ERROR), and a FIN or END_STREAM
// only half-closes (§8.5).
struct StreamTunnel {
  StreamSink& sink;
  UpstreamConnection& up;
  std::chrono::milliseconds idle;
  std::chrono::steady_clock::time_point last_moved = std::chrono::steady_clock::now();
  bool over = false;  // ended for both directions (a reset either way)

  void moved() {
    last_moved = std::chrono::steady_clock::now();
    up.deadline().expires_after(idle);
  }
  void fail(bool tcp_error) {
    if (over) return;
    over = true;
    sink.fail_tunnel(tcp_error);
    reset_tcp(up);
  }

  awaitable<std::uint64_t> client_to_origin() {
    std::string bytes;
    std::uint64_t total = 0;
    while (!over) {
      bytes.clear();
      const auto read = co_await sink.read_tunnel(bytes, idle);
      if (over) break;
      if (read == StreamSink::TunnelRead::end) {
        up.stream().shutdown_send();
        break;
      }
      if (read == StreamSink::TunnelRead::gone) {
        over = true;
        reset_tcp(up);
        break;
      }
      if (read == StreamSink::TunnelRead::idle) {
        // Idle means nothing moved either way (as over HTTP/1.1).
        if (std::chrono::steady_clock::now() - last_moved >= idle) fail(false);
        continue;
      }
      moved();
      auto [ec, n] = co_await asio::async_write(up.stream(), asio::buffer(bytes), use_nothrow);
      total += n;
      if (ec) fail(true);
    }
    co_return total;
  }

  awaitable<std::uint64_t> origin_to_client() {
    std::array<char, 16 * 1024> buf;
    std::uint64_t total = 0;
    while (!over) {
      auto [ec, n] = co_await up.stream().async_read_some(asio::buffer(buf), use_nothrow);
      if (over) break;
      if (n > 0) {
        moved();
        // send() waits while the stream's queue is full: the origin is read as fast as the client's
        // flow-control window lets its bytes go.
        const bool sent = co_await sink.send(std::string_view(buf.data(), n));
        if (!sent) {
          over = true;
          reset_tcp(up);
          break;
        }
        total += n;
      }
      if (ec == asio::error::eof) {
        sink.end_tunnel();
        break;
      }
      if (ec) fail(!up.deadline().timed_out());  // a deadline is our idle limit, not a TCP failure
    }
    co_return total;
  }
};

}  // namespace

awaitable<void> Session::handle_connect_stream(const RequestHead& head) {
  using namespace asio::experimental::awaitable_operators;
  outcome_.cache = "TUNNEL";
  // The same rules as over HTTP/1.1: forward mode only, allowed ports, the destination guard of the pool.
  auto target = route_connect(head, st_.config.routes, st_.config.connect_ports);
  if (!target) {
    const std::string text = target.error().reason + "\n";
    const std::string_view allow =
        target.error().status == Status::method_not_allowed ? kReverseAllow : std::string_view();
    co_await respond(target.error().status, text, nullptr, 0, allow);
    co_return;
  }
  st_.metrics.tunnels.inc(1, shard_);
  auto lease = co_await loop_.pool.acquire(target->host, target->port, true);
  if (!lease) {
    st_.metrics.upstream_errors.inc(1, shard_);
    const std::string text = lease.error().message + "\n";
    co_await respond(upstream_failure_status(lease.error().code), text);
    co_return;
  }
  UpstreamConnection& up = *lease->connection;
  st_.config.upstream_transcript.note(up.peer(), "tunnel opened for " + conn_.peer() + " (HTTP/2 stream)");
  outcome_.status = 200;
  // §8.5: any 2xx makes the stream the tunnel; no Content-Length or body framing of its own.
  const bool established = co_await sink_->send("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (!established) {
    reset_tcp(up);
    co_return;
  }
  StreamTunnel tunnel{*sink_, up, st_.config.tunnel_idle_timeout};
  up.deadline().expires_after(tunnel.idle);
  auto [sent_up, sent_down] = co_await (tunnel.client_to_origin() && tunnel.origin_to_client());
  outcome_.bytes = sent_down;
  st_.config.upstream_transcript.note(up.peer(), "tunnel closed: " + std::to_string(sent_up) + " bytes up, " +
                                                     std::to_string(sent_down) + " bytes down");
  // The connection is not reused: it carried someone else's bytes.
  if (!tunnel.over) up.stream().close();
}

awaitable<bool> Session::handle_connect(const RequestHead& head) {
  using namespace asio::experimental::awaitable_operators;
  outcome_.cache = "TUNNEL";
  keep_alive_ = false;  // whatever happens, this connection is not an HTTP connection afterwards
  auto target = route_connect(head, st_.config.routes, st_.config.connect_ports);
  if (!target) {
    const std::string text = target.error().reason + "\n";
    // RFC 9110 §15.5.6: a 405 MUST list the methods the target does allow.
    const std::string_view allow =
        target.error().status == Status::method_not_allowed ? kReverseAllow : std::string_view();
    co_return co_await respond(target.error().status, text, nullptr, 0, allow);
  }
  st_.metrics.tunnels.inc(1, shard_);
  auto lease = co_await loop_.pool.acquire(target->host, target->port, true);
  if (!lease) {
    st_.metrics.upstream_errors.inc(1, shard_);
    const Status status = upstream_failure_status(lease.error().code);
    const std::string text = lease.error().message + "\n";
    co_return co_await respond(status, text);
  }
  UpstreamConnection& up = *lease->connection;
  st_.config.upstream_transcript.note(up.peer(), "tunnel opened for " + conn_.peer());
  outcome_.status = 200;
  const bool established = co_await write("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (!established) co_return false;
  // Bytes the client sent after the CONNECT head (a TLS ClientHello sent eagerly) go first.
  // From here the connection is no longer HTTP/1: the ServerConnection hands over what it buffered.
  const std::string early = http_.take_rest();
  if (!early.empty()) {
    auto [ec, n] =
        co_await asio::async_write(up.stream(), asio::buffer(early.data(), early.size()), use_nothrow);
    if (ec) co_return false;
  }
  const auto idle = st_.config.tunnel_idle_timeout;
  conn_.expires_after(idle);
  up.deadline().expires_after(idle);
  auto [down, upb] = co_await (pump(conn_.stream(), up.stream(), conn_, up.deadline(), idle) &&
                               pump(up.stream(), conn_.stream(), conn_, up.deadline(), idle));
  outcome_.bytes = upb;
  st_.config.upstream_transcript.note(up.peer(), "tunnel closed: " + std::to_string(down) + " bytes up, " +
                                                     std::to_string(upb) + " bytes down");
  co_return false;
}

}  // namespace endhost::http::proxy
