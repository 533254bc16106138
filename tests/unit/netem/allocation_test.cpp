// The hot path allocates nothing after warm-up: this file replaces the global operator new with one that
// counts, and runs the same traffic twice, counting only the second time.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "netem/emulator.hpp"
#include "packets.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;
using test::ip;
using test::ipv4_packet;

TEST(EmulatorAllocations, NoneAfterWarmUp) {
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host), r = *t.add_node("r", NodeKind::router);
  const NodeId b = *t.add_node("b", NodeKind::host);
  ASSERT_TRUE(t.add_address(a, *Ipv4Prefix::parse("198.18.0.1")));
  ASSERT_TRUE(t.add_address(b, *Ipv4Prefix::parse("198.18.0.2")));
  LinkSpec fast;
  fast.rate_bps = 100'000'000;
  fast.delay = 2ms;
  fast.jitter = 500us;
  LinkSpec slow = fast;
  slow.rate_bps = 10'000'000;
  slow.queue_bytes = 30'000;
  slow.loss = LossSpec::gilbert_elliott(0.02, 0.3);
  ASSERT_TRUE(t.add_link(a, r, fast));
  ASSERT_TRUE(t.add_link(r, b, slow));
  Emulator e(std::move(t), 3);

  const auto data = ipv4_packet(ip(198, 18, 0, 2), 1500);
  const auto ack = ipv4_packet(ip(198, 18, 0, 1), 52);
  std::size_t delivered = 0;
  auto round = [&](TimePoint start) {
    // Bursts of 40 full-size packets every 10 ms for a second, each answered by a small packet back: the slow
    // link's queue overflows, the loss model and jitter draw, and replies re-enter from the callback.
    TimePoint now = start;
    for (int burst = 0; burst < 100; ++burst) {
      for (int i = 0; i < 40; ++i) e.submit(a, data, now);
      const TimePoint next = now + 10ms;
      while (const auto ev = e.next_event()) {
        if (*ev > next) break;
        e.release(*ev, [&](NodeId to, std::span<const std::uint8_t>) {
          ++delivered;
          if (to == b) e.submit(b, ack, *ev);
        });
      }
      now = next;
    }
    while (const auto ev = e.next_event())
      e.release(*ev, [&](NodeId, std::span<const std::uint8_t>) { ++delivered; });
  };
  round(test::t0);
  const std::size_t first = delivered;
  counting = true;
  round(test::t0 + 10s);
  counting = false;
  EXPECT_EQ(allocations.load(), 0u);
  EXPECT_GT(first, 1000u);
  EXPECT_GT(delivered - first, 1000u);
  EXPECT_GT(e.stats(LinkId(1), Direction::a_to_b).dropped_queue, 0u);
  EXPECT_GT(e.stats(LinkId(1), Direction::a_to_b).dropped_loss, 0u);
}

}  // namespace
}  // namespace endhost::netem
