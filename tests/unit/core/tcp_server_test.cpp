// The event engine end to end inside one process: a TcpServer on two loops, real sockets on 127.0.0.1, and
// the limits the services rely on (connection cap, deadlines, drain).
#include "core/tcp_server.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/service_host.hpp"

namespace endhost::core {
namespace {

using tcp = asio::ip::tcp;

// Reads one byte and answers "ok\n"; with `hold`, waits for a second byte before answering (busy connection).
awaitable<void> tiny_session(Connection& c, std::chrono::milliseconds idle) {
  char byte;
  for (;;) {
    if (!c.begin_idle()) co_return;
    c.expires_after(idle);
    auto [ec, n] = co_await c.stream().async_read_some(asio::buffer(&byte, 1), use_nothrow);
    c.end_idle();
    if (ec) co_return;
    if (byte == 'h') {  // hold: in the middle of an exchange until the next byte arrives
      c.expires_after(std::chrono::seconds(5));
      auto [ec2, n2] = co_await c.stream().async_read_some(asio::buffer(&byte, 1), use_nothrow);
      if (ec2) co_return;
    }
    co_await asio::async_write(c.stream(), asio::buffer("ok\n", 3), use_nothrow);
    if (c.draining()) co_return;
  }
}

struct Fixture {
  explicit Fixture(std::size_t max_connections, std::chrono::milliseconds idle = std::chrono::seconds(5))
      : log(LogFormat::Text, LogLevel::Error),
        host(ServiceHostOptions{2, std::chrono::milliseconds(3000), false}, log),
        server(
            host.loops(), log,
            TcpServerOptions{"test", max_connections, [idle](Connection& c) { return tiny_session(c, idle); },
                             [](Connection& c) -> awaitable<void> {
                               co_await asio::async_write(c.stream(), asio::buffer("busy\n", 5), use_nothrow);
                             }}) {
    EXPECT_TRUE(server.listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)));
    host.add(server);
    server.start();
    runner = std::async(std::launch::async, [this] { return host.run(); });
  }
  ~Fixture() {
    host.request_shutdown();
    runner.wait();
  }
  tcp::endpoint endpoint() const { return server.local_endpoints().at(0); }

  Logger log;
  ServiceHost host;
  TcpServer server;
  std::future<int> runner;
};

std::string read_line(tcp::socket& s) {
  std::string out;
  char c;
  boost::system::error_code ec;
  while (asio::read(s, asio::buffer(&c, 1), ec) == 1 && c != '\n') out += c;
  return ec ? "closed:" + out : out;
}

TEST(TcpServer, AnswersOnEveryConnection) {
  Fixture f(100);
  asio::io_context io;
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < 20; ++i) {
    sockets.emplace_back(io);
    sockets.back().connect(f.endpoint());
  }
  for (auto& s : sockets) {
    asio::write(s, asio::buffer("x", 1));
    EXPECT_EQ(read_line(s), "ok");
  }
}

TEST(TcpServer, RefusesPolitelyOverTheLimit) {
  Fixture f(2);
  asio::io_context io;
  tcp::socket a(io), b(io), c(io);
  a.connect(f.endpoint());
  b.connect(f.endpoint());
  asio::write(a, asio::buffer("x", 1));
  asio::write(b, asio::buffer("x", 1));
  EXPECT_EQ(read_line(a), "ok");
  EXPECT_EQ(read_line(b), "ok");
  c.connect(f.endpoint());
  EXPECT_EQ(read_line(c), "busy");
  EXPECT_EQ(read_line(c), "closed:");
}

TEST(TcpServer, IdleDeadlineClosesTheConnection) {
  Fixture f(10, std::chrono::milliseconds(100));
  asio::io_context io;
  tcp::socket s(io);
  s.connect(f.endpoint());
  EXPECT_EQ(read_line(s), "closed:");  // nothing sent: the server hangs up after 100 ms
}

TEST(TcpServer, DrainClosesIdleConnectionsAndFinishesBusyOnes) {
  auto f = std::make_unique<Fixture>(10);
  asio::io_context io;
  tcp::socket idle(io), busy(io);
  idle.connect(f->endpoint());
  busy.connect(f->endpoint());
  asio::write(busy, asio::buffer("h", 1));  // mid-exchange
  asio::write(idle, asio::buffer("x", 1));
  EXPECT_EQ(read_line(idle), "ok");
  while (f->server.in_flight() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  f->host.request_shutdown();
  EXPECT_EQ(read_line(idle), "closed:");    // idle: closed at once
  asio::write(busy, asio::buffer("x", 1));  // the in-flight exchange still completes
  EXPECT_EQ(read_line(busy), "ok");
  EXPECT_EQ(read_line(busy), "closed:");
  EXPECT_EQ(f->runner.get(), 0);  // everything finished within the grace period
  f->runner = std::async(std::launch::deferred, [] { return 0; });
}

TEST(TcpServer, ReportsAddressInUseAsASentence) {
  Fixture f(10);
  Logger log(LogFormat::Text, LogLevel::Error);
  EventLoops loops(1);
  TcpServer other(loops, log, TcpServerOptions{"other", 1, {}, {}});
  auto r = other.listen(f.endpoint());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("already in use"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace endhost::core
