// The TUN pump over SOCK_SEQPACKET socket pairs, which read and write one packet per call as a TUN device
// does: packets cross the emulated link with its delay, in order, and a port with many packets waiting is
// read in batches of LinkPump::kBatch, the other ports getting their turn in between. The clock is the real
// one (the pump's timer), so delays are asserted as "at least the link's delay", never as a machine's speed.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "core/binder.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "lab/network/link_pump.hpp"
#include "netem/topology.hpp"

namespace endhost::lab {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kA = 0xC6120001;  // 198.18.0.1
constexpr std::uint32_t kB = 0xC6120002;  // 198.18.0.2

// A minimal IPv4 datagram (RFC 791 §3.1) to `to`, `seq` in its payload.
std::vector<std::uint8_t> packet(std::uint32_t from, std::uint32_t to, std::uint32_t seq) {
  std::vector<std::uint8_t> p(28, 0);
  p[0] = 0x45;
  p[3] = static_cast<std::uint8_t>(p.size());
  p[8] = 64;
  p[9] = 17;
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<std::uint8_t>(from >> (24 - 8 * i));
    p[16 + i] = static_cast<std::uint8_t>(to >> (24 - 8 * i));
    p[24 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
  }
  return p;
}

std::uint32_t seq_of(const std::vector<std::uint8_t>& p) {
  return (std::uint32_t{p[24]} << 24) | (std::uint32_t{p[25]} << 16) | (std::uint32_t{p[26]} << 8) | p[27];
}

// One packet from `fd` within `timeout`, or an empty vector.
std::vector<std::uint8_t> receive(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return {};
  std::vector<std::uint8_t> buf(2048);
  const ssize_t n = ::read(fd, buf.data(), buf.size());
  if (n <= 0) return {};
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

// A TCP SYN (RFC 9293 §3.1) from `from`:40000 to `to`:`port`, sequence number 1000.
std::vector<std::uint8_t> syn(std::uint32_t from, std::uint32_t to, std::uint16_t port) {
  std::vector<std::uint8_t> p(40, 0);
  p[0] = 0x45;
  p[3] = 40;
  p[8] = 64;
  p[9] = 6;
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<std::uint8_t>(from >> (24 - 8 * i));
    p[16 + i] = static_cast<std::uint8_t>(to >> (24 - 8 * i));
  }
  p[20] = 40000 >> 8;
  p[21] = 40000 & 0xff;
  p[22] = static_cast<std::uint8_t>(port >> 8);
  p[23] = static_cast<std::uint8_t>(port);
  p[26] = 1000 >> 8;
  p[27] = 1000 & 0xff;
  p[32] = 0x50;
  p[33] = 0x02;  // SYN
  return p;
}

class LinkPumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& pair : pairs_)
      ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair.data()), 0);
  }
  void TearDown() override {
    loops_.stop();
    if (runner_.joinable()) runner_.join();
    // As ServiceHost does: the pump is told, its coroutines are destroyed, then the pump.
    if (pump_) pump_->stopped();
    loops_.shutdown();
    pump_.reset();
    for (auto& pair : pairs_) {
      ::close(pair[0]);
      ::close(pair[1]);
    }
  }

  // Hosts a (198.18.0.1) and b (198.18.0.2) joined by one link with `spec` both ways.
  void make_pump(const netem::LinkSpec& spec) {
    netem::Topology t;
    const auto a = *t.add_node("a", netem::NodeKind::host);
    const auto b = *t.add_node("b", netem::NodeKind::host);
    ASSERT_TRUE(t.add_address(a, {kA, 32}));
    ASSERT_TRUE(t.add_address(b, {kB, 32}));
    ASSERT_TRUE(t.add_link(a, b, spec));
    std::vector<PumpPort> ports{{a, pairs_[0][0], "a"}, {b, pairs_[1][0], "b"}};
    pump_ = std::make_unique<LinkPump>(loops_[0], log_, netem::Emulator(std::move(t), 1), std::move(ports));
    core::Binder binder(log_, "links");
    ASSERT_TRUE(pump_->bind(binder));
    pump_->start();
  }
  void run() {
    runner_ = std::thread([this] { loops_.run(); });
  }
  // The host side of each port: what its kernel would write into, and read from, its TUN device.
  int host_a() const { return pairs_[0][1]; }
  int host_b() const { return pairs_[1][1]; }

  core::Logger log_{core::LogFormat::Text, core::LogLevel::Error, stderr};
  core::EventLoops loops_{1};
  std::array<std::array<int, 2>, 2> pairs_{};
  std::unique_ptr<LinkPump> pump_;
  std::thread runner_;
};

TEST_F(LinkPumpTest, CarriesAPacketAfterTheLinksDelay) {
  netem::LinkSpec spec;
  spec.delay = 30ms;
  make_pump(spec);
  run();
  const auto sent = std::chrono::steady_clock::now();
  const auto p = packet(kA, kB, 7);
  ASSERT_EQ(::write(host_a(), p.data(), p.size()), static_cast<ssize_t>(p.size()));
  const auto got = receive(host_b(), 2000ms);
  const auto took = std::chrono::steady_clock::now() - sent;
  ASSERT_EQ(got, p) << "the packet arrives unchanged, at b";
  EXPECT_GE(took, 30ms);
  // And back: the reply crosses the other direction.
  const auto reply = packet(kB, kA, 8);
  ASSERT_EQ(::write(host_b(), reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
  EXPECT_EQ(receive(host_a(), 2000ms), reply);
  EXPECT_TRUE(receive(host_a(), 50ms).empty()) << "nothing else came";
  const auto c = pump_->counts();
  EXPECT_EQ(c.read_packets, 2u);
  EXPECT_EQ(c.written_packets, 2u);
}

TEST_F(LinkPumpTest, ReadsAWaitingBacklogInBatchesAndKeepsItsOrder) {
  make_pump(netem::LinkSpec{});  // no delay, no rate: every packet due as soon as it is read
  constexpr std::uint32_t kCount = 3 * LinkPump::kBatch + 8;
  // Waiting before the loop runs, as after a burst: the first wake finds all of them.
  for (std::uint32_t i = 0; i < kCount; ++i) {
    const auto p = packet(kA, kB, i);
    ASSERT_EQ(::write(host_a(), p.data(), p.size()), static_cast<ssize_t>(p.size()));
  }
  const auto other = packet(kB, kA, 1000);
  ASSERT_EQ(::write(host_b(), other.data(), other.size()), static_cast<ssize_t>(other.size()));
  run();
  for (std::uint32_t i = 0; i < kCount; ++i) {
    const auto got = receive(host_b(), 2000ms);
    ASSERT_FALSE(got.empty()) << "packet " << i << " did not arrive";
    EXPECT_EQ(seq_of(got), i);
  }
  EXPECT_EQ(seq_of(receive(host_a(), 2000ms)), 1000u);
  const auto c = pump_->counts();
  EXPECT_EQ(c.read_packets, kCount + 1);
  EXPECT_EQ(c.full_batches, 3u) << "64, 64, 64, then 8 and the device empty";
  EXPECT_EQ(c.write_errors, 0u);
}

TEST_F(LinkPumpTest, APacketForNoHostIsDroppedAndTheOthersStillFlow) {
  make_pump(netem::LinkSpec{});
  run();
  const auto lost = packet(kA, 0x0A000001, 1);  // 10.0.0.1: no node owns it
  ASSERT_EQ(::write(host_a(), lost.data(), lost.size()), static_cast<ssize_t>(lost.size()));
  const auto p = packet(kA, kB, 2);
  ASSERT_EQ(::write(host_a(), p.data(), p.size()), static_cast<ssize_t>(p.size()));
  EXPECT_EQ(seq_of(receive(host_b(), 2000ms)), 2u);
  EXPECT_TRUE(receive(host_b(), 50ms).empty());
}

TEST_F(LinkPumpTest, AClosedPortAnswersWithARstAndPassesNothing) {
  netem::LinkSpec spec;
  spec.delay = 20ms;
  make_pump(spec);
  run();
  // Closed on the pump's loop, as LinkSwitch does.
  std::promise<void> closed;
  asio::post(pump_->loop().io(), [&] {
    pump_->block_port(kB, 25, true);
    closed.set_value();
  });
  closed.get_future().wait();
  const auto s = syn(kA, kB, 25);
  ASSERT_EQ(::write(host_a(), s.data(), s.size()), static_cast<ssize_t>(s.size()));
  const auto rst = receive(host_a(), 2000ms);
  ASSERT_EQ(rst.size(), 40u) << "a RST back to the sender";
  EXPECT_EQ(rst[33], 0x14) << "RST, ACK";
  EXPECT_EQ((std::uint32_t{rst[28]} << 24) | (std::uint32_t{rst[29]} << 16) | (std::uint32_t{rst[30]} << 8) |
                rst[31],
            1001u);
  EXPECT_TRUE(receive(host_b(), 100ms).empty()) << "nothing reaches the closed port's host";
  EXPECT_EQ(pump_->counts().refused, 1u);
  // Another port of the same host is open: its SYN crosses the link.
  const auto open = syn(kA, kB, 587);
  ASSERT_EQ(::write(host_a(), open.data(), open.size()), static_cast<ssize_t>(open.size()));
  EXPECT_EQ(receive(host_b(), 2000ms), open);
}

}  // namespace
}  // namespace endhost::lab
