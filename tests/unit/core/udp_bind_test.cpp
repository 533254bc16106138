// Binding one UDP address for every loop: each loop's socket reads the same address, a datagram reaches
// exactly one of them, and a taken address is reported as a sentence.
#include "core/udp_bind.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <thread>

namespace endhost::core {
namespace {

using udp = asio::ip::udp;

const udp::endpoint kLoopback(asio::ip::make_address("127.0.0.1"), 0);

// Reads one datagram from whichever socket has it, without blocking; -1 when none has one.
int reader_of_one_datagram(UdpPerLoop& bound) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    for (std::size_t i = 0; i < bound.sockets.size(); ++i) {
      std::array<char, 16> buf{};
      udp::endpoint from;
      boost::system::error_code ec;
      const std::size_t n = bound.sockets[i].receive_from(asio::buffer(buf), from, 0, ec);
      if (!ec && n == 2) return static_cast<int>(i);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return -1;
}

TEST(UdpBind, EveryLoopGetsANonBlockingSocketOnTheSameAddress) {
  EventLoops loops(3);
  auto bound = bind_udp_per_loop(loops, kLoopback, UdpBindOptions{});
  ASSERT_TRUE(bound) << bound.error();
  ASSERT_EQ(bound->sockets.size(), 3u);
  EXPECT_NE(bound->endpoint.port(), 0);
  for (auto& s : bound->sockets) {
    EXPECT_EQ(s.local_endpoint().port(), bound->endpoint.port());
    EXPECT_TRUE(s.non_blocking());
  }
  udp::socket client(loops[0].io(), udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  client.send_to(asio::buffer("hi", 2), bound->endpoint);
  EXPECT_GE(reader_of_one_datagram(*bound), 0);
  EXPECT_EQ(reader_of_one_datagram(*bound), -1);  // delivered once, not once per loop
}

TEST(UdpBind, ReuseportGivesEachLoopItsOwnBoundSocket) {
  EventLoops loops(2);
  UdpBindOptions options;
  options.reuseport = true;
  auto bound = bind_udp_per_loop(loops, kLoopback, options);
  ASSERT_TRUE(bound) << bound.error();
  ASSERT_EQ(bound->sockets.size(), 2u);
  EXPECT_EQ(bound->sockets[1].local_endpoint().port(), bound->endpoint.port());
  EXPECT_NE(bound->sockets[0].native_handle(), bound->sockets[1].native_handle());
}

TEST(UdpBind, AnAddressInUseIsASentence) {
  EventLoops loops(2);
  auto first = bind_udp_per_loop(loops, kLoopback, UdpBindOptions{});
  ASSERT_TRUE(first) << first.error();
  auto second = bind_udp_per_loop(loops, first->endpoint, UdpBindOptions{});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find(std::to_string(first->endpoint.port())), std::string::npos) << second.error();
}

}  // namespace
}  // namespace endhost::core
