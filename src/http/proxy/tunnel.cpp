// CONNECT (RFC 9110 §9.3.6): a forward proxy opens a TCP connection to host:port, answers 2xx, and then
// relays bytes both ways without looking at them (HTTPS through the proxy). Only to allowed ports: an open
// CONNECT proxy would let anyone reach SMTP or SSH servers through it.
#include <algorithm>
#include <array>

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

}  // namespace

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
  in_.consume(head_size_);
  body_read_ = true;
  if (!in_.empty()) {
    auto [ec, n] =
        co_await asio::async_write(up.stream(), asio::buffer(in_.readable().data(), in_.size()), use_nothrow);
    if (ec) co_return false;
    in_.clear();
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
