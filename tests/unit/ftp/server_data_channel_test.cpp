// The FTP server's data connections over real loopback sockets: a passive listener hands out only a
// connection from the control peer's address (another address is closed and counted: hijacking), is spent
// by one transfer, and gives up at the connect timeout; an active target is dialled.
#include "ftp/server/data_channel.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace endhost::ftp::server {
namespace {

namespace ip = asio::ip;

struct Outcome {
  bool ok = false;
  std::string error;
  ip::tcp::endpoint remote;
};

awaitable<void> run_connect(DataChannel& channel, std::chrono::milliseconds timeout, Outcome& out) {
  auto made = co_await channel.connect(DataTimeouts{timeout});
  if (made) {
    out.ok = true;
    out.remote = (*made)->lowest_layer().remote_endpoint();
  } else {
    out.error = made.error();
  }
}

TEST(FtpServerDataChannel, PassiveAcceptsOnlyThePeer) {
  asio::io_context io;
  const auto loopback = ip::make_address("127.0.0.1");
  DataChannel channel(io.get_executor(), loopback);
  PassivePorts ports(50500, 50599);
  auto port = channel.open_passive(loopback, ports);
  ASSERT_TRUE(port) << port.error();
  EXPECT_GE(*port, 50500);
  EXPECT_LE(*port, 50599);

  // A hijacker from another loopback address connects first; then the real client.
  ip::tcp::socket hijacker(io);
  hijacker.open(ip::tcp::v4());
  hijacker.bind({ip::make_address("127.0.0.2"), 0});
  hijacker.connect({loopback, *port});
  ip::tcp::socket client(io);
  client.connect({loopback, *port});

  Outcome out;
  asio::co_spawn(io, run_connect(channel, std::chrono::seconds(5), out), asio::detached);
  io.run();
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.remote.port(), client.local_endpoint().port());
  EXPECT_EQ(channel.hijack_attempts(), 1u);
  // The hijacker's connection was closed.
  char c;
  boost::system::error_code ec;
  hijacker.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // One connection per transfer: the listener is spent.
  EXPECT_FALSE(channel.ready());
}

TEST(FtpServerDataChannel, PassiveGivesUpAtTheConnectTimeout) {
  asio::io_context io;
  const auto loopback = ip::make_address("127.0.0.1");
  DataChannel channel(io.get_executor(), loopback);
  PassivePorts ports(50600, 50699);
  ASSERT_TRUE(channel.open_passive(loopback, ports));
  Outcome out;
  asio::co_spawn(io, run_connect(channel, std::chrono::milliseconds(100), out), asio::detached);
  io.run();
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.error.find("timeout"), std::string::npos) << out.error;
}

TEST(FtpServerDataChannel, ResetStopsAWaitingAccept) {
  asio::io_context io;
  const auto loopback = ip::make_address("127.0.0.1");
  DataChannel channel(io.get_executor(), loopback);
  PassivePorts ports(50700, 50799);
  ASSERT_TRUE(channel.open_passive(loopback, ports));
  Outcome out;
  asio::co_spawn(io, run_connect(channel, std::chrono::seconds(30), out), asio::detached);
  asio::steady_timer t(io, std::chrono::milliseconds(50));
  t.async_wait([&](boost::system::error_code) { channel.reset(); });  // ABOR before the client connected
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_FALSE(out.ok);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Two consecutive ports that were free a moment ago (a fixed pair may be held by a server of a test running
// beside this one, as the FTP integration tests' passive ports are).
std::uint16_t two_free_ports(asio::io_context& io, const ip::address& address) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    ip::tcp::acceptor first(io, {address, 0});
    const std::uint16_t port = first.local_endpoint().port();
    if (port == 65535) continue;
    boost::system::error_code ec;
    ip::tcp::acceptor second(io);
    second.open(ip::tcp::v4(), ec);
    if (!ec) second.bind({address, static_cast<std::uint16_t>(port + 1)}, ec);
    if (!ec) return port;
  }
  return 0;
}

TEST(FtpServerDataChannel, PortsAreSharedRoundRobin) {
  asio::io_context io;
  const auto loopback = ip::make_address("127.0.0.1");
  const std::uint16_t low = two_free_ports(io, loopback);
  ASSERT_NE(low, 0);
  PassivePorts ports(low, static_cast<std::uint16_t>(low + 1));
  DataChannel a(io.get_executor(), loopback), b(io.get_executor(), loopback), c(io.get_executor(), loopback);
  auto pa = a.open_passive(loopback, ports);
  auto pb = b.open_passive(loopback, ports);
  ASSERT_TRUE(pa);
  ASSERT_TRUE(pb);
  EXPECT_NE(*pa, *pb);
  EXPECT_FALSE(c.open_passive(loopback, ports));  // both ports taken: an error, never a shared port
}

TEST(FtpServerDataChannel, ActiveDialsTheTarget) {
  asio::io_context io;
  const auto loopback = ip::make_address("127.0.0.1");
  ip::tcp::acceptor client_listener(io, {loopback, 0});
  DataChannel channel(io.get_executor(), loopback);
  channel.set_active(client_listener.local_endpoint(), loopback);
  ASSERT_TRUE(channel.ready());
  Outcome out;
  asio::co_spawn(io, run_connect(channel, std::chrono::seconds(5), out), asio::detached);
  ip::tcp::socket accepted(io);
  client_listener.async_accept(accepted, [](boost::system::error_code) {});
  io.run();
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.remote, client_listener.local_endpoint());
  EXPECT_FALSE(channel.ready());
}

TEST(FtpServerDataChannel, MappedAddressesCompareAsIpv4) {
  EXPECT_EQ(unmapped(ip::make_address("::ffff:127.0.0.1")), ip::make_address("127.0.0.1"));
  EXPECT_EQ(unmapped(ip::make_address("::1")), ip::make_address("::1"));
}

}  // namespace
}  // namespace endhost::ftp::server
