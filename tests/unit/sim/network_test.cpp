// The fake network: latency and jitter delay messages, loss drops about the share asked for, a stream keeps
// its order, partitions and down nodes drop, and one seed always gives the same trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "sim/network.hpp"

namespace endhost::sim {
namespace {

const std::vector<std::uint8_t> kHello{'h', 'i'};

struct Net {
  explicit Net(std::uint64_t seed = 1) : random(seed) {
    network.attach("a", [this](const Message& m) { got_a.push_back(m); });
    network.attach("b", [this](const Message& m) { got_b.push_back(m); });
  }
  VirtualClock clock;
  core::SeededRandom random;
  Network network{clock, random};
  std::vector<Message> got_a, got_b;
};

TEST(Network, DefaultLinkDeliversAtOnceButAsAnEvent) {
  Net n;
  n.network.send("a", "b", kHello);
  EXPECT_TRUE(n.got_b.empty()) << "nothing is delivered inside send()";
  EXPECT_EQ(n.network.in_flight(), 1u);
  n.clock.run_until_idle();
  ASSERT_EQ(n.got_b.size(), 1u);
  EXPECT_EQ(n.got_b[0].from, "a");
  EXPECT_EQ(n.got_b[0].bytes, kHello);
}

TEST(Network, LatencyAndExtraDelayAddUp) {
  Net n;
  const Instant t0 = n.clock.now();
  n.network.set_link("a", "b", LinkProfile{Millis(30), Millis(0), 0});
  Instant at{};
  n.network.attach("b", [&](const Message&) { at = n.clock.now(); });
  n.network.send("a", "b", kHello, Channel::datagram, Millis(5));
  n.clock.run_until_idle();
  EXPECT_EQ(at - t0, Millis(35));
  // One direction only: b to a is still instant.
  Instant back{};
  n.network.attach("a", [&](const Message&) { back = n.clock.now(); });
  n.network.send("b", "a", kHello);
  n.clock.run_until_idle();
  EXPECT_EQ(back, at);
}

TEST(Network, JitterStaysInItsRangeAndReordersDatagramsButNotAStream) {
  Net n;
  const Instant t0 = n.clock.now();
  n.network.set_link("a", "b", LinkProfile{Millis(10), Millis(20), 0});
  std::vector<std::uint8_t> datagrams, stream;
  n.network.attach("b", [&](const Message& m) {
    const Millis late = n.clock.now() - t0;
    EXPECT_GE(late, Millis(10));
    EXPECT_LE(late, Millis(30));
    (m.channel == Channel::stream ? stream : datagrams).push_back(m.bytes.at(0));
  });
  for (std::uint8_t i = 0; i < 50; ++i) {
    const std::vector<std::uint8_t> one{i};
    n.network.send("a", "b", one, Channel::datagram);
    n.network.send("a", "b", one, Channel::stream);
  }
  n.clock.run_until_idle();
  ASSERT_EQ(datagrams.size(), 50u);
  ASSERT_EQ(stream.size(), 50u);
  EXPECT_FALSE(std::is_sorted(datagrams.begin(), datagrams.end())) << "jitter reorders datagrams";
  EXPECT_TRUE(std::is_sorted(stream.begin(), stream.end())) << "a stream arrives in order";
}

TEST(Network, LossDropsAboutTheShareAskedFor) {
  Net n;
  n.network.set_link("a", "b", LinkProfile{Millis(1), Millis(0), 250'000});  // 25 %
  for (int i = 0; i < 10'000; ++i) n.network.send("a", "b", kHello);
  n.clock.run_until_idle();
  EXPECT_GT(n.got_b.size(), 7'200u);
  EXPECT_LT(n.got_b.size(), 7'800u);
  EXPECT_EQ(n.network.counters().dropped + n.network.counters().delivered, 10'000u);
  // A stream is not lossy: the loss is what a transport would retransmit.
  n.got_b.clear();
  for (int i = 0; i < 100; ++i) n.network.send("a", "b", kHello, Channel::stream);
  n.clock.run_until_idle();
  EXPECT_EQ(n.got_b.size(), 100u);
}

std::vector<std::string> lossy_trace(std::uint64_t seed) {
  Net n(seed);
  std::vector<std::string> lines;
  n.network.record_trace(lines);
  n.network.set_link_both("a", "b", LinkProfile{Millis(5), Millis(15), 300'000});
  for (int i = 0; i < 40; ++i) {
    n.network.send("a", "b", kHello);
    n.network.send("b", "a", kHello);
    n.clock.advance(Millis(2));
  }
  n.clock.run_until_idle();
  return lines;
}

TEST(Network, SameSeedGivesTheSameTraceAndAnotherSeedAnother) {
  const auto one = lossy_trace(7);
  EXPECT_EQ(one.size(), 80u + 80u) << "each message is sent, then delivered or dropped";
  EXPECT_EQ(one, lossy_trace(7));
  EXPECT_NE(one, lossy_trace(8));
}

TEST(Network, APartitionDropsBothWaysUntilHealed) {
  Net n;
  std::vector<Drop> drops;
  n.network.observe([&](const TraceEvent& e) {
    if (e.kind == TraceEvent::Kind::dropped) drops.push_back(e.drop);
  });
  n.network.partition({"a"}, {"b", "c"});
  n.network.send("a", "b", kHello);
  n.network.send("b", "a", kHello);
  n.clock.run_until_idle();
  EXPECT_TRUE(n.got_a.empty());
  EXPECT_TRUE(n.got_b.empty());
  EXPECT_EQ(drops, (std::vector<Drop>{Drop::partitioned, Drop::partitioned}));
  n.network.heal("a", "b");
  n.network.send("a", "b", kHello);
  n.clock.run_until_idle();
  EXPECT_EQ(n.got_b.size(), 1u);
}

TEST(Network, ACutLosesWhatIsOnTheWire) {
  Net n;
  n.network.set_link("a", "b", LinkProfile{Millis(50), Millis(0), 0});
  n.network.send("a", "b", kHello);
  n.clock.after(Millis(10), [&] { n.network.cut("a", "b"); });
  n.clock.run_until_idle();
  EXPECT_TRUE(n.got_b.empty());
  EXPECT_EQ(n.network.counters().dropped, 1u);
}

TEST(Network, DownNodesAndEmptyAddressesReceiveNothing) {
  Net n;
  std::vector<Drop> drops;
  n.network.observe([&](const TraceEvent& e) {
    if (e.kind == TraceEvent::Kind::dropped) drops.push_back(e.drop);
  });
  n.network.set_down("b", true);
  n.network.send("a", "b", kHello);
  n.network.send("b", "a", kHello);
  n.network.send("a", "nobody", kHello);
  n.clock.run_until_idle();
  EXPECT_TRUE(n.got_a.empty());
  EXPECT_TRUE(n.got_b.empty());
  EXPECT_EQ(drops, (std::vector<Drop>{Drop::down, Drop::down, Drop::unreachable}));
  n.network.set_down("b", false);
  n.network.send("a", "b", kHello);
  n.clock.run_until_idle();
  EXPECT_EQ(n.got_b.size(), 1u);
}

TEST(Network, DiscardTakesOnlyWhatGoesToThatAddress) {
  Net n;
  n.network.set_default_link(LinkProfile{Millis(5), Millis(0), 0});
  n.network.send("a", "b", kHello);
  n.network.send("c", "b", kHello);
  n.network.send("b", "a", kHello);
  EXPECT_EQ(n.network.discard_in_flight_to("b"), 2u);
  n.clock.run_until_idle();
  EXPECT_TRUE(n.got_b.empty());
  EXPECT_EQ(n.got_a.size(), 1u);
}

TEST(Network, TraceLinesSayWhatHappenedAndWhen) {
  Net n;
  std::vector<std::string> lines;
  n.network.record_trace(lines);
  n.network.set_link("a", "b", LinkProfile{Millis(12), Millis(0), 0});
  n.network.send("a", "b", kHello);
  n.clock.run_until_idle();
  EXPECT_EQ(lines, (std::vector<std::string>{"+0ms sent a -> b datagram 2B #1",
                                             "+12ms delivered a -> b datagram 2B #1"}));
}

}  // namespace
}  // namespace endhost::sim
