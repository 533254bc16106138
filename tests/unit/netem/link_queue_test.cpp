#include "netem/link_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "packets.hpp"

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;
using test::at_ms;
using test::at_us;
using test::t0;

struct Out {
  std::uint32_t id;  // the PacketRef index, used as a sequence number here
  TimePoint at;
  bool lost;
};

// Runs the direction to the end, as the emulator would: each event at its instant.
std::vector<Out> drain(LinkQueue& q) {
  std::vector<Out> out;
  while (const auto t = q.next_event()) {
    while (const auto d = q.pop_due(*t)) out.push_back({d->packet.ref.index, d->at, d->lost});
  }
  return out;
}

Packet packet(std::uint32_t id, std::uint32_t bytes = 1500) {
  return Packet{PacketRef{id}, bytes, NodeId(0)};
}

LinkSpec rate(std::uint64_t bps, std::size_t queue = 10'000'000) {
  LinkSpec s;
  s.rate_bps = bps;
  s.queue_bytes = queue;
  return s;
}

TEST(LinkQueue, BackToBackPacketsLeaveOneSerializationTimeApart) {
  LinkQueue q(rate(10'000'000), 1);
  for (std::uint32_t i = 0; i < 10; ++i) ASSERT_TRUE(q.admit(packet(i), t0));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 10u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].id, i);
    EXPECT_EQ(out[i].at - t0, Duration(1'200'000) * (i + 1));
  }
}

TEST(LinkQueue, OneMegabyteBurstAtTenMegabitsTakesEightTenthsOfASecond) {
  LinkQueue q(rate(10'000'000), 1);
  std::uint32_t id = 0;
  for (std::uint32_t sent = 0; sent < 1'000'000; sent += 1500)
    ASSERT_TRUE(q.admit(packet(id++, std::min<std::uint32_t>(1500, 1'000'000 - sent)), t0));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), id);
  // 8,000,000 bits at 10 Mb/s: 0.8 s, exactly, since the rate is exact to the nanosecond.
  EXPECT_EQ(out.back().at - t0, 800ms);
  EXPECT_EQ(q.stats().delivered_bytes, 1'000'000u);
}

TEST(LinkQueue, DropTailAtTheQueueLimit) {
  // Ten full-size packets may wait; the first goes straight onto the wire, so of 20 sent at once 11 pass.
  LinkQueue q(rate(10'000'000, 15'000), 1);
  int accepted = 0;
  for (std::uint32_t i = 0; i < 20; ++i) accepted += q.admit(packet(i), t0);
  EXPECT_EQ(accepted, 11);
  EXPECT_EQ(q.stats().dropped_queue, 9u);
  EXPECT_EQ(q.stats().dropped_queue_bytes, 9u * 1500);
  EXPECT_EQ(q.stats().queue_bytes, 15'000u);
  EXPECT_EQ(q.stats().queue_packets, 10u);
  EXPECT_EQ(q.stats().in_flight, 1u);
  // The queue is full to the byte: even a small packet is dropped.
  EXPECT_FALSE(q.admit(packet(100, 40), t0));
  // Once the first has left (1.2 ms) one slot is free again.
  ASSERT_TRUE(q.pop_due(at_us(1200)));
  EXPECT_TRUE(q.admit(packet(101), at_us(1200)));
  EXPECT_FALSE(q.admit(packet(102), at_us(1200)));
  EXPECT_EQ(q.stats().packets_in, 23u);
  EXPECT_EQ(q.stats().peak_queue_bytes, 15'000u);
  const auto out = drain(q);
  EXPECT_EQ(out.size(), 11u);
  EXPECT_EQ(q.stats().delivered, 12u);
}

TEST(LinkQueue, DelayIsAddedAfterSerialization) {
  LinkSpec s = rate(10'000'000);
  s.delay = 25ms;
  LinkQueue q(s, 1);
  ASSERT_TRUE(q.admit(packet(0), t0));
  ASSERT_TRUE(q.admit(packet(1), at_ms(10)));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].at, at_ms(26.2));
  EXPECT_EQ(out[1].at, at_ms(36.2));
}

// Extra time of each packet past the end of its serialization (each finishes `ser` after it came).
std::vector<Duration> extras(const std::vector<Out>& out, Duration spacing, Duration ser) {
  std::vector<Duration> e;
  for (const Out& o : out) e.push_back(o.at - (t0 + spacing * o.id + ser));
  return e;
}

TEST(LinkQueue, JitterIsUniformWithinItsBounds) {
  LinkSpec s = rate(100'000'000);
  s.delay = 10ms;
  s.jitter = 5ms;
  LinkQueue q(s, 3);
  // Packets 20 ms apart, more than the jitter's whole width, so no release is held back by the one before.
  const std::uint32_t n = 2000;
  for (std::uint32_t i = 0; i < n; ++i) ASSERT_TRUE(q.admit(packet(i), t0 + 20ms * i));
  const auto e = extras(drain(q), 20ms, 120us);
  ASSERT_EQ(e.size(), n);
  const auto [lo, hi] = std::minmax_element(e.begin(), e.end());
  EXPECT_GE(*lo, 5ms);
  EXPECT_LE(*hi, 15ms);
  // The jitter is really there: the extremes come near both bounds, and the mean is the delay.
  EXPECT_LT(*lo, 5ms + 200us);
  EXPECT_GT(*hi, 15ms - 200us);
  Duration sum{};
  for (const Duration d : e) sum += d;
  const double mean_ms = std::chrono::duration<double, std::milli>(sum / n).count();
  EXPECT_NEAR(mean_ms, 10.0, 0.25);
}

TEST(LinkQueue, JitterDoesNotReorderDensePackets) {
  LinkSpec s = rate(100'000'000);
  s.delay = 10ms;
  s.jitter = 5ms;
  LinkQueue q(s, 3);
  // A packet every 200 µs: without the clamp, jitter would reorder most of them.
  const std::uint32_t n = 5000;
  for (std::uint32_t i = 0; i < n; ++i) ASSERT_TRUE(q.admit(packet(i), t0 + 200us * i));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), n);
  for (std::uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(out[i].id, i);
    if (i > 0) {
      ASSERT_GE(out[i].at, out[i - 1].at);
    }
  }
  const auto e = extras(out, 200us, 120us);
  const auto [lo, hi] = std::minmax_element(e.begin(), e.end());
  EXPECT_GE(*lo, 5ms);
  EXPECT_LE(*hi, 15ms);
}

TEST(LinkQueue, JitterReordersOnlyWhenAsked) {
  LinkSpec s;
  s.delay = 10ms;
  s.jitter = 5ms;
  s.reorder = true;
  LinkQueue q(s, 3);
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(q.admit(packet(i), at_us(100 * i)));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 1000u);
  int inversions = 0;
  for (std::size_t i = 1; i < out.size(); ++i) {
    inversions += out[i].id < out[i - 1].id;
    ASSERT_GE(out[i].at, out[i - 1].at);  // released in time order all the same
  }
  EXPECT_GT(inversions, 100);
  for (const Out& o : out) {
    const Duration extra = o.at - at_us(100 * o.id);
    EXPECT_GE(extra, 5ms);
    EXPECT_LE(extra, 15ms);
  }
}

TEST(LinkQueue, LossHappensAfterTheLinkWasUsed) {
  LinkSpec s = rate(10'000'000);
  s.loss = LossSpec::bernoulli(0.5);
  LinkQueue q(s, 9);
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(q.admit(packet(i), t0));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 1000u);
  // Every packet, lost or not, took its 1.2 ms: the survivors are not sped up by the losses.
  EXPECT_EQ(out.back().at - t0, Duration(1'200'000) * 1000);
  const auto lost = std::count_if(out.begin(), out.end(), [](const Out& o) { return o.lost; });
  EXPECT_EQ(q.stats().dropped_loss, static_cast<std::uint64_t>(lost));
  EXPECT_EQ(q.stats().delivered, 1000u - static_cast<std::uint64_t>(lost));
  EXPECT_NEAR(static_cast<double>(lost) / 1000.0, 0.5, 0.05);
}

TEST(LinkQueue, ANewRateAppliesToPacketsNotYetOnTheWire) {
  LinkQueue q(rate(10'000'000), 1);
  for (std::uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(q.admit(packet(i), t0));
  // At 0.6 ms the first packet is half-way out; the rate doubles. It still leaves at 1.2 ms, the next ones
  // every 0.6 ms after it.
  while (q.pop_due(at_us(600))) {
  }
  q.set_spec(rate(20'000'000), at_us(600));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].at, at_us(1200));
  EXPECT_EQ(out[1].at, at_us(1800));
  EXPECT_EQ(out[2].at, at_us(2400));
  EXPECT_EQ(out[3].at, at_us(3000));
}

TEST(LinkQueue, ALowerDelayDoesNotOvertakePacketsAlreadyPropagating) {
  LinkSpec s;
  s.delay = 50ms;
  LinkQueue q(s, 1);
  ASSERT_TRUE(q.admit(packet(0), t0));
  s.delay = 10ms;
  q.set_spec(s, at_ms(1));
  ASSERT_TRUE(q.admit(packet(1), at_ms(1)));
  ASSERT_TRUE(q.admit(packet(2), at_ms(60)));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].at, at_ms(50));
  EXPECT_EQ(out[1].at, at_ms(50));  // held behind packet 0 rather than released at 11 ms
  EXPECT_EQ(out[2].at, at_ms(70));
}

TEST(LinkQueue, TraceDrivenDelivery) {
  LinkSpec s;
  s.trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{1ms, 1ms, 3ms}, 1500});
  s.delay = 2ms;
  LinkQueue q(s, 1);
  for (std::uint32_t i = 0; i < 6; ++i) ASSERT_TRUE(q.admit(packet(i), t0));
  const auto out = drain(q);
  ASSERT_EQ(out.size(), 6u);
  // Opportunities at 1, 1, 3, then 4, 4, 6 ms; each packet then propagates for 2 ms.
  const double want[] = {3, 3, 5, 6, 6, 8};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i].at, at_ms(want[i])) << i;
}

TEST(LinkQueue, NextEventIsTheEarliestThingToDo) {
  LinkSpec s = rate(10'000'000);
  s.delay = 5ms;
  LinkQueue q(s, 1);
  EXPECT_FALSE(q.next_event());
  ASSERT_TRUE(q.admit(packet(0), t0));
  ASSERT_TRUE(q.admit(packet(1), t0));
  // Packet 1 starts when packet 0 has been serialized, before packet 0 arrives.
  EXPECT_EQ(q.next_event(), at_us(1200));
  EXPECT_FALSE(q.pop_due(at_us(1200)));
  EXPECT_EQ(q.next_event(), at_us(6200));
}

}  // namespace
}  // namespace endhost::netem
