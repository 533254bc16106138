#include "netem/emulator.hpp"

#include <gtest/gtest.h>

#include <map>

#include "packets.hpp"

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;
using test::at_ms;
using test::at_us;
using test::ip;
using test::ipv4_packet;
using test::t0;

struct Delivery {
  NodeId to;
  TimePoint at;
  std::vector<std::uint8_t> bytes;
};

// Drives the emulator as the lab's loop does: wake at next_event(), release, repeat.
std::vector<Delivery> run(Emulator& e, TimePoint until = TimePoint::max()) {
  std::vector<Delivery> out;
  while (const auto t = e.next_event()) {
    if (*t > until) break;
    e.release(*t, [&](NodeId to, std::span<const std::uint8_t> p) {
      out.push_back({to, *t, std::vector<std::uint8_t>(p.begin(), p.end())});
    });
  }
  return out;
}

LinkSpec spec(std::uint64_t bps, std::chrono::nanoseconds d, std::size_t queue = 1'000'000) {
  LinkSpec s;
  s.rate_bps = bps;
  s.delay = d;
  s.queue_bytes = queue;
  return s;
}

// h1 (198.18.0.1) — 10 Mb/s, 5 ms — r — 2 Mb/s, 20 ms — h2 (198.18.0.2), the same both ways.
struct TwoHops {
  Topology t;
  NodeId h1, r, h2;
  LinkId l1, l2;
  TwoHops() {
    h1 = *t.add_node("h1", NodeKind::host);
    r = *t.add_node("r", NodeKind::router);
    h2 = *t.add_node("h2", NodeKind::host);
    EXPECT_TRUE(t.add_address(h1, *Ipv4Prefix::parse("198.18.0.1")));
    EXPECT_TRUE(t.add_address(h2, *Ipv4Prefix::parse("198.18.0.2")));
    l1 = *t.add_link(h1, r, spec(10'000'000, 5ms));
    l2 = *t.add_link(r, h2, spec(2'000'000, 20ms));
  }
};

const std::uint32_t kH1 = ip(198, 18, 0, 1), kH2 = ip(198, 18, 0, 2);

TEST(Emulator, OnePacketTakesEachLinksSerializationAndDelay) {
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  const auto p = ipv4_packet(kH2, 1500, 0x5a);
  e.submit(g.h1, p, t0);
  EXPECT_EQ(e.packets_held(), 1u);
  const auto out = run(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, g.h2);
  EXPECT_EQ(out[0].bytes, p);
  // 1.2 ms + 5 ms on the first link, then 6 ms + 20 ms on the second.
  EXPECT_EQ(out[0].at, at_ms(32.2));
  EXPECT_EQ(e.counters().delivered, 1u);
  EXPECT_EQ(e.packets_held(), 0u);
  EXPECT_FALSE(e.next_event());
}

TEST(Emulator, ABurstCrossesAtTheBottleneckRate) {
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  for (int i = 0; i < 10; ++i) e.submit(g.h1, ipv4_packet(kH2, 1500, static_cast<std::uint8_t>(i)), t0);
  const auto out = run(e);
  ASSERT_EQ(out.size(), 10u);
  // Store-and-forward: the first reaches the router at 6.2 ms; after that the 2 Mb/s link is never idle, so
  // the packets leave it 6 ms apart and arrive 20 ms later.
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(out[i].at, at_ms(6.2 + 6.0 * static_cast<double>(i + 1) + 20.0)) << i;
    EXPECT_EQ(std::size_t{out[i].bytes[30]}, i);  // in order
  }
  EXPECT_EQ(e.stats(g.l2, Direction::a_to_b).peak_queue_bytes,
            1500u * 8);  // p3…p10 wait when p10 arrives at 17 ms
  EXPECT_EQ(e.stats(g.l1, Direction::a_to_b).delivered, 10u);
  EXPECT_EQ(e.stats(g.l2, Direction::a_to_b).delivered, 10u);
  EXPECT_EQ(e.stats(g.l2, Direction::b_to_a).packets_in, 0u);
}

TEST(Emulator, ADeliveryMaySubmitAReply) {
  // An echo at h2: the reply's round trip is the sum of both directions.
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  e.submit(g.h1, ipv4_packet(kH2, 100), t0);
  std::vector<std::pair<NodeId, TimePoint>> seen;
  while (const auto t = e.next_event()) {
    e.release(*t, [&](NodeId to, std::span<const std::uint8_t>) {
      seen.push_back({to, *t});
      if (to == g.h2) e.submit(g.h2, ipv4_packet(kH1, 100), *t);
    });
  }
  ASSERT_EQ(seen.size(), 2u);
  // 100 bytes: 80 µs at 10 Mb/s, 400 µs at 2 Mb/s, each way; plus 25 ms of delay each way.
  EXPECT_EQ(seen[1].first, g.h1);
  EXPECT_EQ(seen[1].second, at_us(2 * (80 + 400 + 25'000)));
}

TEST(Emulator, APacketForItsOwnHostIsReadyAtOnce) {
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  e.submit(g.h1, ipv4_packet(kH1, 60), at_ms(3));
  EXPECT_EQ(e.next_event(), at_ms(3));
  const auto out = run(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, g.h1);
}

TEST(Emulator, UnknownDestinationsAreCountedAsNoRoute) {
  TwoHops g;
  const NodeId island = *g.t.add_node("island", NodeKind::host);
  ASSERT_TRUE(g.t.add_address(island, *Ipv4Prefix::parse("198.18.9.9")));
  Emulator e(std::move(g.t), 1);
  e.submit(g.h1, ipv4_packet(ip(203, 0, 113, 1), 100), t0);  // nobody owns it
  e.submit(g.h1, ipv4_packet(ip(198, 18, 9, 9), 100), t0);   // owned, unreachable
  e.submit(NodeId(99), ipv4_packet(kH2, 100), t0);           // no such sender
  EXPECT_EQ(e.counters().no_route, 3u);
  EXPECT_EQ(e.counters().submitted, 3u);
  EXPECT_EQ(e.packets_held(), 0u);
  EXPECT_FALSE(e.next_event());
}

TEST(Emulator, MalformedPacketsAreCountedAndDropped) {
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  auto v6 = ipv4_packet(kH2, 60);
  v6[0] = 0x60;
  auto short_ihl = ipv4_packet(kH2, 60);
  short_ihl[0] = 0x44;
  auto long_total = ipv4_packet(kH2, 60);
  long_total[3] = 61;
  auto ihl_past_total = ipv4_packet(kH2, 60);
  ihl_past_total[0] = 0x4f;  // 60-byte header in a 40-byte datagram
  ihl_past_total[3] = 40;
  std::vector<std::uint8_t> empty, tiny = {0x45, 0, 0};
  for (const auto* p : {&v6, &short_ihl, &long_total, &ihl_past_total, &empty, &tiny}) e.submit(g.h1, *p, t0);
  EXPECT_EQ(e.counters().not_ipv4, 1u);
  EXPECT_EQ(e.counters().malformed, 5u);
  EXPECT_EQ(e.packets_held(), 0u);
  // Bytes past the total length (a padded frame) are not part of the datagram.
  auto padded = ipv4_packet(kH2, 60);
  padded.resize(80, 0xee);
  e.submit(g.h1, padded, t0);
  const auto out = run(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes.size(), 60u);
}

TEST(Emulator, AnyBytesAreSafeInput) {
  TwoHops g;
  Emulator e(std::move(g.t), 1, EmulatorLimits{256});
  Prng rng(2024);
  std::uint64_t kept = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::vector<std::uint8_t> p(rng.next() % 120);
    for (auto& b : p) b = static_cast<std::uint8_t>(rng.next());
    // Half of them look like IPv4 with a plausible length and a lab destination, to get past the header.
    if (i % 2 == 0 && p.size() >= 20) {
      p[0] = static_cast<std::uint8_t>(0x40 | (p[0] & 0x0f));
      p[2] = 0;
      p[3] = static_cast<std::uint8_t>(rng.next() % (p.size() + 10));
      p[16] = 198, p[17] = 18, p[18] = 0, p[19] = static_cast<std::uint8_t>(rng.next() % 4);
    }
    e.submit(g.h1, p, at_us(i));
    e.release(at_us(i), [&](NodeId, std::span<const std::uint8_t> d) { kept += d.size() >= 20; });
  }
  for (const auto& d : run(e)) kept += d.bytes.size() >= 20;
  const auto& c = e.counters();
  EXPECT_EQ(c.submitted, 20'000u);
  const std::uint64_t accepted = c.submitted - c.not_ipv4 - c.malformed - c.no_route - c.pool_full;
  const auto l1 = e.stats(g.l1, Direction::a_to_b);
  const auto l2 = e.stats(g.l2, Direction::a_to_b);
  // Every packet accepted went to h1 itself (ready at once) or onto the first link, and each is accounted
  // for.
  EXPECT_EQ(accepted, c.delivered + l1.dropped_queue + l2.dropped_queue);
  EXPECT_EQ(kept, c.delivered);
  EXPECT_GT(c.delivered, 300u);
  EXPECT_GT(c.malformed, 1000u);
  EXPECT_GT(c.pool_full, 0u);
  EXPECT_EQ(e.packets_held(), 0u);
}

TEST(Emulator, ThePoolHasAHardLimit) {
  TwoHops g;
  Emulator e(std::move(g.t), 1, EmulatorLimits{5});
  for (int i = 0; i < 10; ++i) e.submit(g.h1, ipv4_packet(kH2, 1500), t0);
  EXPECT_EQ(e.counters().pool_full, 5u);
  EXPECT_EQ(e.packets_held(), 5u);
  EXPECT_EQ(run(e).size(), 5u);
  // Buffers come back: five more fit again.
  for (int i = 0; i < 5; ++i) e.submit(g.h1, ipv4_packet(kH2, 1500), at_ms(1000));
  EXPECT_EQ(e.counters().pool_full, 5u);
}

TEST(Emulator, SetLinkStepsTheRateMidRun) {
  // One link, 10 Mb/s; at 5 ms it drops to 1 Mb/s (a DASH experiment's step down).
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host), b = *t.add_node("b", NodeKind::host);
  ASSERT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
  const LinkId l = *t.add_link(a, b, spec(10'000'000, 0ms));
  Emulator e(std::move(t), 1);
  for (int i = 0; i < 6; ++i) e.submit(a, ipv4_packet(kH2, 1500), t0);
  std::vector<TimePoint> at;
  auto collect = [&](TimePoint until) {
    for (const auto& d : run(e, until)) at.push_back(d.at);
  };
  collect(at_ms(5));
  ASSERT_TRUE(e.set_link(l, Direction::a_to_b, spec(1'000'000, 0ms), at_ms(5)));
  // A bad spec is refused and changes nothing.
  EXPECT_FALSE(e.set_link(l, Direction::a_to_b, spec(1'000'000, -1ms), at_ms(5)));
  EXPECT_FALSE(e.set_link(LinkId(9), Direction::a_to_b, spec(1'000'000, 0ms), at_ms(5)));
  collect(TimePoint::max());
  // Four packets left by 4.8 ms; the fifth was on the wire at 5 ms and keeps its 6 ms; the sixth takes 12 ms.
  ASSERT_EQ(at.size(), 6u);
  EXPECT_EQ(at[3], at_ms(4.8));
  EXPECT_EQ(at[4], at_ms(6.0));
  EXPECT_EQ(at[5], at_ms(18.0));
  EXPECT_EQ(e.topology().link(l).a_to_b.rate_bps, 1'000'000u);
}

TEST(Emulator, SetLinkDelayChangeReroutes) {
  // a–b direct 10 ms, or a–r–b 2 + 3 ms; making a–r slow sends new packets the direct way.
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host), b = *t.add_node("b", NodeKind::host);
  const NodeId r = *t.add_node("r", NodeKind::router);
  ASSERT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
  const LinkId ab = *t.add_link(a, b, spec(0, 10ms));
  const LinkId ar = *t.add_link(a, r, spec(0, 2ms));
  ASSERT_TRUE(t.add_link(r, b, spec(0, 3ms)));
  Emulator e(std::move(t), 1);
  e.submit(a, ipv4_packet(kH2, 100), t0);
  ASSERT_TRUE(e.set_link(ar, Direction::a_to_b, spec(0, 50ms), at_ms(1)));
  e.submit(a, ipv4_packet(kH2, 100), at_ms(1));
  const auto out = run(e);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].at, at_ms(5));
  EXPECT_EQ(out[1].at, at_ms(11));
  EXPECT_EQ(e.stats(ab, Direction::a_to_b).delivered, 1u);
}

TEST(Emulator, BernoulliLossOverTheWholePath) {
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host), b = *t.add_node("b", NodeKind::host);
  ASSERT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
  LinkSpec s = spec(0, 1ms);
  s.loss = LossSpec::bernoulli(0.01);
  const LinkId l = *t.add_link(a, b, s);
  Emulator e(std::move(t), 77);
  const auto p = ipv4_packet(kH2, 100);
  std::uint64_t delivered = 0;
  auto count = [&](NodeId, std::span<const std::uint8_t>) { ++delivered; };
  for (int i = 0; i < 100'000; ++i) {
    e.submit(a, p, at_us(10 * i));
    e.release(at_us(10 * i), count);
  }
  delivered += run(e).size();
  EXPECT_EQ(e.counters().pool_full, 0u);
  const double loss = 1.0 - static_cast<double>(delivered) / 100'000.0;
  EXPECT_NEAR(loss, 0.01, 0.01);
  EXPECT_NEAR(loss, 0.01, 0.001);  // 3 standard deviations
  EXPECT_EQ(e.stats(l, Direction::a_to_b).dropped_loss, 100'000u - delivered);
}

TEST(Emulator, TheSameSeedReplaysTheSameRun) {
  auto once = [](std::uint64_t seed) {
    Topology t;
    const NodeId a = *t.add_node("a", NodeKind::host), b = *t.add_node("b", NodeKind::host);
    EXPECT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
    LinkSpec s = spec(50'000'000, 3ms);
    s.jitter = 1ms;
    s.loss = LossSpec::gilbert_elliott(0.05, 0.3);
    EXPECT_TRUE(t.add_link(a, b, s));
    Emulator e(std::move(t), seed);
    for (int i = 0; i < 2000; ++i)
      e.submit(a, ipv4_packet(kH2, 200, static_cast<std::uint8_t>(i)), at_us(50 * i));
    std::vector<std::pair<std::int64_t, int>> trace;
    for (const auto& d : run(e)) trace.push_back({(d.at - t0).count(), d.bytes[25]});
    return trace;
  };
  EXPECT_EQ(once(5), once(5));
  EXPECT_NE(once(5), once(6));
}

TEST(Emulator, TraceDrivenLinkInTheTopology) {
  // A 12 Mb/s trace (one opportunity a millisecond) behind 10 ms of delay.
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host), b = *t.add_node("b", NodeKind::host);
  ASSERT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
  LinkSpec s;
  s.delay = 10ms;
  s.trace = std::make_shared<DeliveryTrace>(*parse_mahimahi_trace("1\n"));
  ASSERT_TRUE(t.add_link(a, b, s));
  Emulator e(std::move(t), 1);
  for (int i = 0; i < 100; ++i) e.submit(a, ipv4_packet(kH2, 1500), t0);
  const auto out = run(e);
  ASSERT_EQ(out.size(), 100u);
  EXPECT_EQ(out.front().at, at_ms(11));
  EXPECT_EQ(out.back().at, at_ms(110));
}

TEST(Emulator, InstantsThatGoBackwardsCountAsTheLatest) {
  TwoHops g;
  Emulator e(std::move(g.t), 1);
  e.release(at_ms(100), [](NodeId, std::span<const std::uint8_t>) {});
  e.submit(g.h1, ipv4_packet(kH2, 1500), at_ms(50));
  const auto out = run(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].at, at_ms(132.2));
}

TEST(Emulator, SteadyClockInstantsConvertBothWays) {
  const auto s = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(123'456'789'012));
  EXPECT_EQ(from_steady(s).time_since_epoch(), Duration(123'456'789'012));
  EXPECT_EQ(to_steady(from_steady(s)), s);
  // A core::Instant (milliseconds) is an instant of the same clock.
  const TimePoint from_core = core::Instant(core::Millis(5));
  EXPECT_EQ(from_core.time_since_epoch(), 5ms);
}

}  // namespace
}  // namespace endhost::netem
