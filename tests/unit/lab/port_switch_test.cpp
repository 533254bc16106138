// The lab's switch in front of a mail server's port (port_switch.hpp): while on it forwards a connection
// from the client's own address, so the service sees its real peer; off, the port refuses connections (a
// server that is down) and forwarded connections are cut; on again, it forwards again.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "core/binder.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "lab/port_switch.hpp"

namespace endhost::lab {
namespace {

using asio::ip::tcp;

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

class PortSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    back_.open(tcp::v4());
    back_.set_option(asio::socket_base::reuse_address(true));
    back_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    back_.listen();
    front_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), free_port());
    switch_ = std::make_unique<PortSwitch>(loops_[0], front_, back_.local_endpoint(), core::Transcript());
    core::Binder binder(log_, "switch");
    ASSERT_TRUE(switch_->bind(binder));
    switch_->start();
    thread_ = std::thread([this] { loops_.run(); });
  }
  void TearDown() override {
    loops_.stop();
    thread_.join();
    switch_.reset();
  }

  // Connects to the front from `source`; false when refused.
  bool connect(tcp::socket& s, const char* source) {
    boost::system::error_code ec;
    s.open(tcp::v4(), ec);
    s.bind(tcp::endpoint(asio::ip::make_address(source), 0), ec);
    s.connect(front_, ec);
    return !ec;
  }

  // One exchange through the switch: the back end accepts, says who its peer is, and the client reads it.
  std::string round_trip(const char* source) {
    tcp::socket client(io_);
    if (!connect(client, source)) return "refused";
    // A probe of refused_within() that came through before the switch went off may still wait in the
    // back end's backlog: skip connections from anyone but `source`.
    tcp::socket served(io_);
    back_.accept(served);
    while (served.remote_endpoint().address().to_string() != source) {
      served.close();
      back_.accept(served);
    }
    const std::string peer = served.remote_endpoint().address().to_string();
    asio::write(served, asio::buffer(peer + "\n"));
    asio::streambuf buf;
    asio::read_until(client, buf, '\n');
    std::string line;
    std::istream in(&buf);
    std::getline(in, line);
    return line;
  }

  bool refused_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      tcp::socket s(io_);
      if (!connect(s, "127.0.0.1")) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  core::Logger log_{core::LogFormat::Text, core::LogLevel::Error, stderr};
  core::EventLoops loops_{1};
  asio::io_context io_;
  tcp::acceptor back_{io_};
  tcp::endpoint front_;
  std::unique_ptr<PortSwitch> switch_;
  std::thread thread_;
};

TEST_F(PortSwitchTest, ForwardsFromTheClientsOwnAddress) {
  EXPECT_EQ(round_trip("127.0.0.77"), "127.0.0.77");
  EXPECT_TRUE(switch_->on());
}

TEST_F(PortSwitchTest, OffRefusesAndCutsThenOnForwardsAgain) {
  tcp::socket open(io_);
  ASSERT_TRUE(connect(open, "127.0.0.5"));
  tcp::socket served(io_);
  back_.accept(served);

  switch_->set_on(false);
  EXPECT_TRUE(refused_within(std::chrono::milliseconds(2000)));
  EXPECT_FALSE(switch_->on());
  // The forwarded connection was cut: the client reads the end (or a reset).
  boost::system::error_code ec;
  std::array<char, 16> b;
  open.read_some(asio::buffer(b), ec);
  EXPECT_TRUE(ec);

  switch_->set_on(true);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!switch_->on() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(round_trip("127.0.0.6"), "127.0.0.6");
}

}  // namespace
}  // namespace endhost::lab
