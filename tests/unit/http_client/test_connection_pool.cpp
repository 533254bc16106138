// The per-loop connection pool's bounds: idle connections are closed by a timer once idle past the idle
// timeout (and their host entries forgotten), and the idle total is capped across hosts; TLS connections are
// pooled apart from plain ones, and an https request through a proxy goes in origin form (inside CONNECT).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "http/client/connection_pool.hpp"
#include "http/client/http_client.hpp"

using namespace endhost;
using namespace endhost::http;
using namespace std::chrono_literals;
using asio::ip::tcp;

namespace {

using Connections = std::vector<std::unique_ptr<UpstreamConnection>>;

awaitable<void> open_connections(ConnectionPool* pool, std::uint16_t port, int n, Connections* out) {
  for (int i = 0; i < n; ++i) {
    auto lease = co_await pool->acquire("127.0.0.1", port);
    if (lease) out->push_back(std::move(lease->connection));
  }
}

Connections open(asio::io_context& io, ConnectionPool& pool, std::uint16_t port, int n) {
  Connections c;
  asio::co_spawn(io, open_connections(&pool, port, n, &c), asio::detached);
  io.restart();
  while (c.size() < static_cast<std::size_t>(n) && io.run_one_for(5s)) {
  }
  return c;
}

// Runs `f` on the io_context's thread, as the client does: the pool is loop-owned state, and debug builds
// assert it is touched only from its loop. poll() runs what is ready and leaves the pool's timers armed.
template <class F>
void on_loop(asio::io_context& io, F f) {
  asio::post(io, std::move(f));
  io.restart();
  io.poll();
}

// Whether the server side of a connection saw it closed (EOF), waiting at most a few seconds.
bool closed_by_client(tcp::socket& s) {
  timeval tv{5, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char byte;
  return ::recv(s.native_handle(), &byte, 1, 0) == 0;
}

}  // namespace

TEST(ConnectionPool, Rfc9112_9_5_IdleConnectionsAreReapedByATimer) {
  asio::io_context io;
  tcp::acceptor listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = listener.local_endpoint().port();
  PoolOptions options;
  options.idle_timeout = 200ms;
  ConnectionPool pool(io.get_executor(), options);
  Connections conns = open(io, pool, port, 3);
  ASSERT_EQ(conns.size(), 3u);
  std::vector<tcp::socket> server_side;
  for (int i = 0; i < 3; ++i) server_side.push_back(listener.accept());
  on_loop(io, [&] {
    for (auto& c : conns) pool.release(std::move(c));
  });
  EXPECT_EQ(pool.idle_connections(), 3u);
  EXPECT_EQ(pool.idle_hosts(), 1u);

  // Nobody asks for them again: the reaper alone must close them. Bounded wait, no timing asserted.
  io.restart();
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (pool.idle_connections() > 0 && std::chrono::steady_clock::now() < give_up) io.run_for(50ms);
  EXPECT_EQ(pool.idle_connections(), 0u);
  EXPECT_EQ(pool.idle_hosts(), 0u);  // no empty per-host entry is left behind
  for (auto& s : server_side) EXPECT_TRUE(closed_by_client(s));
}

TEST(ConnectionPool, IdleConnectionsAreCappedAcrossHostsOldestFirst) {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::acceptor b(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  PoolOptions options;
  options.max_idle_total = 2;
  ConnectionPool pool(io.get_executor(), options);
  Connections to_a = open(io, pool, a.local_endpoint().port(), 2);
  Connections to_b = open(io, pool, b.local_endpoint().port(), 1);
  ASSERT_EQ(to_a.size() + to_b.size(), 3u);
  tcp::socket a1 = a.accept(), a2 = a.accept(), b1 = b.accept();
  on_loop(io, [&] {
    pool.release(std::move(to_a[0]));
    pool.release(std::move(to_a[1]));
    pool.release(std::move(to_b[0]));
  });
  EXPECT_EQ(pool.idle_connections(), 2u);
  EXPECT_EQ(pool.idle_hosts(), 2u);
  EXPECT_TRUE(closed_by_client(a1));  // the one idle longest went

  // Taking the last idle connection to a host forgets the host.
  Connections again = open(io, pool, b.local_endpoint().port(), 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(pool.stats().reused, 1u);
  EXPECT_EQ(pool.idle_hosts(), 1u);
  EXPECT_EQ(pool.idle_connections(), 1u);
  pool.clear();
  EXPECT_EQ(pool.idle_hosts(), 0u);
}

// The pool key carries the scheme (and, for a tunnel, the proxy), so TLS and plain connections never mix.
TEST(ConnectionPool, KeysSeparateTlsFromPlainAndTunnelsByProxy) {
  EXPECT_EQ(pool_key("example.test", 80, nullptr), "example.test:80");
  const TlsTarget direct{"example.test", 443, false};
  const TlsTarget tunnel{"example.test", 443, true};
  EXPECT_EQ(pool_key("example.test", 443, &direct), "https://example.test:443");
  EXPECT_EQ(pool_key("proxy.test", 3128, &tunnel), "https://example.test:443 via proxy.test:3128");
  EXPECT_NE(pool_key("example.test", 443, nullptr), pool_key("example.test", 443, &direct));
}

namespace {
awaitable<void> acquire_tls(ConnectionPool* pool, std::uint16_t port, std::optional<ClientError>* out) {
  const TlsTarget target{"127.0.0.1", port, false};
  auto lease = co_await pool->acquire("127.0.0.1", port, false, &target);
  *out = lease ? std::nullopt : std::optional<ClientError>(lease.error());
}
}  // namespace

TEST(ConnectionPool, AnIdlePlainConnectionIsNotLentForTls) {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = a.local_endpoint().port();
  ConnectionPool pool(io.get_executor(), PoolOptions{});  // no TLS context: a TLS acquire fails after TCP
  Connections plain = open(io, pool, port, 1);
  ASSERT_EQ(plain.size(), 1u);
  tcp::socket server = a.accept();
  on_loop(io, [&] { pool.release(std::move(plain[0])); });
  ASSERT_EQ(pool.idle_connections(), 1u);
  std::optional<ClientError> error;
  asio::co_spawn(io, acquire_tls(&pool, port, &error), asio::detached);
  io.restart();
  while (!error && io.run_one_for(5s)) {
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ClientErrc::tls);
  EXPECT_EQ(pool.stats().reused, 0u);  // a new TCP connection was opened instead
  EXPECT_EQ(pool.stats().opened, 2u);
  EXPECT_EQ(pool.idle_connections(), 1u);  // the plain one is still there for plain HTTP
  pool.clear();
}

TEST(HttpClient, Rfc9112_3_2_HttpsThroughAProxyIsInOriginFormHttpInAbsoluteForm) {
  Outgoing r;
  r.proxy = *parse_url("http://proxy.test:3128");
  r.url = *parse_url("http://example.test/a?b");
  std::string out;
  append_outgoing(out, r);
  EXPECT_EQ(out.substr(0, out.find("\r\n")), "GET http://example.test/a?b HTTP/1.1");
  r.url = *parse_url("https://example.test/a?b");
  out.clear();
  append_outgoing(out, r);
  EXPECT_EQ(out.substr(0, out.find("\r\n")), "GET /a?b HTTP/1.1");
}
