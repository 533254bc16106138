// TokenBucket (--limit-rate): the rate holds over time, a burst is bounded, debts are paid by waiting, and
// ready_at() says when to write again, all on a ManualClock.
#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

TEST(TokenBucket, StartsWithAQuarterOfItsBurstAndRefillsAtTheRate) {
  ManualClock clock;
  TokenBucket b(1'000'000, 20'000, clock.now());  // 1 MB/s, 20 kB burst
  EXPECT_EQ(b.available(clock.now()), 5'000u);
  clock.advance(Millis(15));
  EXPECT_EQ(b.available(clock.now()), 20'000u);
  b.spend(20'000);
  EXPECT_EQ(b.available(clock.now()), 0u);
  clock.advance(Millis(5));
  EXPECT_EQ(b.available(clock.now()), 5'000u);  // 1 MB/s is 1,000 bytes per millisecond
  clock.advance(Millis(1000));
  EXPECT_EQ(b.available(clock.now()), 20'000u);  // never more than the burst, however long it idled
}

TEST(TokenBucket, AnOverdraftIsPaidByWaiting) {
  ManualClock clock;
  TokenBucket b(1'000'000, 20'000, clock.now());
  b.spend(5'000 + 16'393);  // a whole HTTP/2 frame past what the bucket held
  EXPECT_EQ(b.available(clock.now()), 0u);
  clock.advance(Millis(16));
  EXPECT_EQ(b.available(clock.now()), 0u);  // still 393 bytes in debt
  clock.advance(Millis(1));
  EXPECT_EQ(b.available(clock.now()), 607u);
}

TEST(TokenBucket, ReadyAtIsWhenAQuarterOfTheBurstIsBack) {
  ManualClock clock;
  TokenBucket b(1'000'000, 20'000, clock.now());
  EXPECT_EQ(b.ready_at(), clock.now());  // a quarter full: now
  b.spend(5'000);
  const Instant start = clock.now();
  EXPECT_EQ(b.ready_at(), start + Millis(5));  // 5,000 bytes at 1,000 a millisecond
  b.spend(3'000);                              // in debt
  EXPECT_EQ(b.ready_at(), start + Millis(8));
  clock.advance_to(b.ready_at());
  EXPECT_EQ(b.available(clock.now()), 5'000u);
}

TEST(TokenBucket, ReadyAtRoundsUpAtSlowRates) {
  ManualClock clock;
  TokenBucket b(3'000, 1'024, clock.now());  // 3 bytes per millisecond, 256 bytes worth waking for
  b.spend(256);
  const Instant ready = b.ready_at();
  EXPECT_EQ(ready, clock.now() + Millis(86));  // ceil(256 / 3)
  clock.advance_to(ready - Millis(1));
  EXPECT_LT(b.available(clock.now()), 256u);
  clock.advance_to(ready);
  EXPECT_GE(b.available(clock.now()), 256u);
}

TEST(TokenBucket, TheAverageRateHoldsOverManyWrites) {
  // A writer that waits for ready_at() and then writes whatever it may, plus a frame header's overdraft
  // every time, still sends no more than rate × time + a quarter burst + one overdraft.
  ManualClock clock;
  const Instant start = clock.now();
  TokenBucket b(1'048'576, clock.now());
  std::uint64_t sent = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t n = b.available(clock.now());
    if (n == 0) {
      clock.advance_to(b.ready_at());
      continue;
    }
    b.spend(n + 9);
    sent += n + 9;
  }
  const double seconds = std::chrono::duration<double>(clock.now() - start).count();
  EXPECT_GT(seconds, 0.1);
  EXPECT_LE(static_cast<double>(sent), 1'048'576 * seconds + TokenBucket::default_burst(1'048'576) + 9);
  EXPECT_GE(static_cast<double>(sent), 1'048'576 * seconds * 0.95);
}

TEST(TokenBucket, TheDefaultBurstIsTwentyMillisecondsAndAtLeastOneKilobyte) {
  EXPECT_EQ(TokenBucket::default_burst(1'000'000), 20'000u);
  EXPECT_EQ(TokenBucket::default_burst(10'000), 1'024u);
}

}  // namespace
}  // namespace endhost::core
