// PortBlock and tcp_reset_for: the RST a blocked port hands back (RFC 9293 §3.10.7.1), its fields and
// both checksums, and which packets are let through.
#include "netem/port_block.hpp"

#include <gtest/gtest.h>

#include "packets.hpp"

namespace endhost::netem {
namespace {

using test::ip;

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

std::uint16_t get16(const std::vector<std::uint8_t>& p, std::size_t at) {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}
std::uint32_t get32(const std::vector<std::uint8_t>& p, std::size_t at) {
  return std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 | std::uint32_t{p[at + 2]} << 8 |
         p[at + 3];
}
void put16(std::vector<std::uint8_t>& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& p, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// A TCP segment from src:sport to dst:dport with `payload` bytes, as a host's stack writes it (checksums are
// not looked at by the block).
std::vector<std::uint8_t> segment(std::uint32_t src, std::uint16_t sport, std::uint32_t dst,
                                  std::uint16_t dport, std::uint8_t flags, std::uint32_t seq,
                                  std::uint32_t ack, std::size_t payload = 0) {
  std::vector<std::uint8_t> p = test::ipv4_packet(dst, 40 + payload, 0x61);
  for (std::size_t i = 4; i < 8; ++i) p[i] = 0;  // identification, flags, fragment offset: not a fragment
  p[9] = 6;
  put32(p, 12, src);
  put16(p, 20, sport);
  put16(p, 22, dport);
  put32(p, 24, seq);
  put32(p, 28, ack);
  p[32] = 5 << 4;
  p[33] = flags;
  put16(p, 34, 65535);
  return p;
}

// The one's-complement sum over `bytes` (plus `sum`) folded: 0xffff when a checksum inside them is right.
std::uint16_t ones_sum(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t n,
                       std::uint32_t sum = 0) {
  for (std::size_t i = from; i < from + n; i += 2) sum += get16(bytes, i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

void expect_checksums_right(const std::vector<std::uint8_t>& r) {
  ASSERT_EQ(r.size(), 40u);
  EXPECT_EQ(ones_sum(r, 0, 20), 0xffff) << "IPv4 header checksum";
  const std::uint32_t pseudo = ones_sum(r, 12, 8) + 6u + 20u;
  EXPECT_EQ(ones_sum(r, 20, 20, pseudo), 0xffff) << "TCP checksum";
}

const std::uint32_t kClient = ip(198, 18, 0, 30), kServer = ip(198, 18, 0, 21);

TEST(TcpReset, ASynGetsRstAckOfItsSequencePlusOne) {
  const auto syn = segment(kClient, 40000, kServer, 25, kSyn, 1000, 0);
  const auto r = tcp_reset_for(syn);
  ASSERT_EQ(r.size(), 40u);
  expect_checksums_right(r);
  EXPECT_EQ(r[0], 0x45);
  EXPECT_EQ(get16(r, 2), 40);
  EXPECT_EQ(r[9], 6);
  EXPECT_EQ(get32(r, 12), kServer) << "from the port's host";
  EXPECT_EQ(get32(r, 16), kClient);
  EXPECT_EQ(get16(r, 20), 25);
  EXPECT_EQ(get16(r, 22), 40000);
  EXPECT_EQ(get32(r, 24), 0u);
  EXPECT_EQ(get32(r, 28), 1001u) << "SYN counts one";
  EXPECT_EQ(r[33], kRst | kAck);
  EXPECT_EQ(r[32], 0x50);
}

TEST(TcpReset, AnAckedSegmentGetsARstAtItsAcknowledgement) {
  const auto data = segment(kServer, 25, kClient, 40000, kAck | kPsh, 7, 0xfffffff0u, 100);
  const auto r = tcp_reset_for(data);
  ASSERT_EQ(r.size(), 40u);
  expect_checksums_right(r);
  EXPECT_EQ(get32(r, 24), 0xfffffff0u) << "SEQ = SEG.ACK: exactly the sender's RCV.NXT (RFC 5961 §3.2)";
  EXPECT_EQ(get32(r, 28), 0u);
  EXPECT_EQ(r[33], kRst);
}

TEST(TcpReset, SequenceCountsPayloadAndFinAndWraps) {
  const auto fin = segment(kClient, 1, kServer, 25, kFin, 0xffffffffu, 0, 10);
  const auto r = tcp_reset_for(fin);
  ASSERT_EQ(r.size(), 40u);
  expect_checksums_right(r);
  EXPECT_EQ(get32(r, 28), 10u) << "0xffffffff + 10 + FIN, modulo 2^32";
}

TEST(TcpReset, NoneForARstOrWhatIsNotTcp) {
  EXPECT_TRUE(tcp_reset_for(segment(kClient, 1, kServer, 25, kRst, 5, 0)).empty());
  EXPECT_TRUE(tcp_reset_for(test::ipv4_packet(kServer, 60)).empty()) << "UDP";
  auto fragment = segment(kClient, 1, kServer, 25, kSyn, 5, 0);
  put16(fragment, 6, 0x2000);  // more fragments
  EXPECT_TRUE(tcp_reset_for(fragment).empty());
  auto short_one = segment(kClient, 1, kServer, 25, kSyn, 5, 0);
  short_one.resize(30);
  EXPECT_TRUE(tcp_reset_for(short_one).empty());
}

TEST(PortBlock, OnlySegmentsToOrFromABlockedPortAreIntercepted) {
  PortBlock block;
  std::vector<std::uint8_t> reset;
  const auto syn = segment(kClient, 40000, kServer, 25, kSyn, 1000, 0);
  EXPECT_FALSE(block.intercept(syn, reset)) << "nothing blocked";
  block.set(kServer, 25, true);
  EXPECT_TRUE(block.blocked(kServer, 25));
  EXPECT_TRUE(block.intercept(syn, reset));
  ASSERT_EQ(reset.size(), 40u);
  EXPECT_EQ(get32(reset, 28), 1001u);
  // The server's side of a connection open before the block: dropped, and the server is reset.
  reset.clear();
  EXPECT_TRUE(block.intercept(segment(kServer, 25, kClient, 40000, kAck, 9, 555, 20), reset));
  ASSERT_EQ(reset.size(), 40u);
  EXPECT_EQ(get32(reset, 16), kServer);
  EXPECT_EQ(get32(reset, 24), 555u);
  // A RST to the port is dropped, unanswered.
  reset.clear();
  EXPECT_TRUE(block.intercept(segment(kClient, 40000, kServer, 25, kRst, 1, 0), reset));
  EXPECT_TRUE(reset.empty());
  // Another port, another host, UDP: through.
  EXPECT_FALSE(block.intercept(segment(kClient, 40000, kServer, 587, kSyn, 1, 0), reset));
  EXPECT_FALSE(block.intercept(segment(kClient, 40000, ip(198, 18, 0, 20), 25, kSyn, 1, 0), reset));
  EXPECT_FALSE(block.intercept(test::ipv4_packet(kServer, 60), reset));
  block.set(kServer, 25, false);
  EXPECT_TRUE(block.empty());
  EXPECT_FALSE(block.intercept(syn, reset));
}

}  // namespace
}  // namespace endhost::netem
