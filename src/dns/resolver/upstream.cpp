#include "dns/resolver/upstream.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/dialer.hpp"
#include "core/stream.hpp"

namespace endhost::dns::resolver {

namespace {

using namespace asio::experimental::awaitable_operators;
using SteadyClock = std::chrono::steady_clock;

// Ports below 1024 are privileged and a few services expect them quiet; the rest are fair game.
constexpr std::uint16_t kLowestSourcePort = 1024;
constexpr int kBindAttempts = 16;

ServerEndpoint from_udp(const asio::ip::udp::endpoint& e) {
  return ServerEndpoint{to_ip(e.address()), e.port()};
}

// Binds to a random port; after a few collisions with ports in use, lets the kernel choose (its ephemeral
// port choice is randomised on Linux too).
bool bind_random_port(asio::ip::udp::socket& s, bool v6, core::RandomSource& random,
                      const std::optional<asio::ip::address>& source, const core::SocketPlace& place) {
  boost::system::error_code ec;
  core::open_socket(s, v6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec, place);
  if (ec) return false;
  // From the source address when it is of the server's IP version, else from any.
  auto any = source && source->is_v6() == v6 ? *source
             : v6                            ? asio::ip::address(asio::ip::address_v6::any())
                                             : asio::ip::address(asio::ip::address_v4::any());
  for (int i = 0; i < kBindAttempts; ++i) {
    auto port = static_cast<std::uint16_t>(kLowestSourcePort + random.below(65536u - kLowestSourcePort));
    s.bind({any, port}, ec);
    if (!ec) return true;
  }
  s.bind({any, 0}, ec);
  return !ec;
}

awaitable<void> exchange_udp(Resolution& r, core::RandomSource& random,
                             const std::optional<asio::ip::address>& source, const core::SocketPlace& place) {
  const Transmit& t = r.transmit();
  auto ex = co_await asio::this_coro::executor;
  auto deadline = SteadyClock::now() + t.timeout;
  asio::ip::udp::socket sock(ex);
  boost::system::error_code ec;
  if (!bind_random_port(sock, t.server.ip.v6, random, source, place)) {
    r.on_timeout(engine_now());  // no socket: as good as no answer, and the engine moves on
    co_return;
  }
  asio::ip::udp::endpoint to(to_asio(t.server.ip), t.server.port);
  // A failed send (unreachable network) is not reported early: waiting out the timeout keeps the engine's
  // backoff honest instead of letting it spin through every server at once.
  sock.send_to(asio::buffer(t.query.data(), t.query.size()), to, 0, ec);
  std::vector<std::uint8_t> buf(kMaxMessageSize);
  asio::steady_timer timer(ex);
  for (;;) {
    timer.expires_at(deadline);
    asio::ip::udp::endpoint from;
    auto result = co_await (sock.async_receive_from(asio::buffer(buf), from, use_nothrow) ||
                            timer.async_wait(use_nothrow));
    if (result.index() == 1) break;  // the timer: no accepted answer in time
    auto [rec, n] = std::get<0>(result);
    if (rec) {
      // An ICMP error reported on the socket; nothing to read. Keep waiting for the deadline.
      if (SteadyClock::now() >= deadline) break;
      continue;
    }
    auto verdict = r.on_response(from_udp(from), Transport::udp, std::span(buf.data(), n), engine_now());
    if (verdict == ResponseVerdict::accepted) co_return;
  }
  r.on_timeout(engine_now());
}

awaitable<void> exchange_tcp(Resolution& r, const std::optional<asio::ip::address>& source,
                             const core::SocketPlace& place) {
  const Transmit& t = r.transmit();
  auto ex = co_await asio::this_coro::executor;
  auto deadline = SteadyClock::now() + t.timeout;
  ServerEndpoint server = t.server;
  std::unique_ptr<core::Stream> sock;  // once connected
  asio::steady_timer timer(ex, deadline);
  auto timed = [&](auto op) -> awaitable<std::optional<boost::system::error_code>> {
    auto res = co_await (std::move(op) || timer.async_wait(use_nothrow));
    if (res.index() == 1) co_return std::nullopt;
    co_return std::get<0>(std::get<0>(res));
  };
  // RFC 1035 §4.2.2: a two-octet length, then the message.
  std::vector<std::uint8_t> out(2 + t.query.size());
  out[0] = static_cast<std::uint8_t>(t.query.size() >> 8);
  out[1] = static_cast<std::uint8_t>(t.query.size());
  std::copy(t.query.begin(), t.query.end(), out.begin() + 2);

  bool ok = false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  const bool same_version = source && source->is_v6() == server.ip.v6;
  const core::Dialer dialer(core::DialOptions{std::max(left, std::chrono::milliseconds(1)),
                                              same_version ? source : std::nullopt, true, nullptr, place});
  auto connected = co_await dialer.connect(asio::ip::tcp::endpoint(to_asio(server.ip), server.port));
  if (connected) {
    sock = std::make_unique<core::Stream>(std::move(*connected));
    auto written = co_await timed(asio::async_write(*sock, asio::buffer(out), use_nothrow));
    ok = written && !*written;
  }
  std::vector<std::uint8_t> msg;
  while (ok) {
    std::array<std::uint8_t, 2> len{};
    auto got = co_await timed(asio::async_read(*sock, asio::buffer(len), use_nothrow));
    if (!got || *got) break;
    msg.resize(static_cast<std::size_t>(len[0]) << 8 | len[1]);
    got = co_await timed(asio::async_read(*sock, asio::buffer(msg), use_nothrow));
    if (!got || *got) break;
    if (r.on_response(server, Transport::tcp, msg, engine_now()) == ResponseVerdict::accepted) co_return;
  }
  r.on_timeout(engine_now());
}

}  // namespace

IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return IpAddress::v4_from(a.to_v4().to_bytes());
  return IpAddress::v6_from(a.to_v6().to_bytes()).unmapped();
}

asio::ip::address to_asio(const IpAddress& a) {
  if (!a.v6) return asio::ip::address_v4({a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
  return asio::ip::address_v6(a.bytes);
}

Instant engine_now() {
  const core::SystemClock clock;
  return clock.now();
}

awaitable<void> exchange(Resolution& r, core::RandomSource& random,
                         const std::optional<asio::ip::address>& source, const core::SocketPlace& place) {
  if (r.transmit().transport == Transport::tcp) {
    co_await exchange_tcp(r, source, place);
  } else {
    co_await exchange_udp(r, random, source, place);
  }
}

}  // namespace endhost::dns::resolver
