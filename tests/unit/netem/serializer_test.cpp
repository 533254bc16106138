#include "netem/serializer.hpp"

#include <gtest/gtest.h>

#include "packets.hpp"

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;
using test::at_ms;
using test::t0;

TEST(Serializer, UnshapedTakesNoTime) {
  Serializer s;
  s.configure(0, nullptr, std::nullopt);
  EXPECT_EQ(s.finish(t0, 1500), t0);
}

TEST(Serializer, FullSizePacketsAtTenMegabitsTakeExactly1200Microseconds) {
  Serializer s;
  s.configure(10'000'000, nullptr, std::nullopt);
  TimePoint t = t0;
  for (int i = 1; i <= 100; ++i) {
    t = s.finish(t, 1500);
    EXPECT_EQ(t - t0, Duration(1'200'000) * i);
  }
}

TEST(Serializer, CarriesTheFractionOfANanosecondAlongATrain) {
  // 12,000 bits at 7 Mb/s are 1,714,285.714… ns: a train of 1000 takes 1.714285714 s exactly (to the ns),
  // where rounding each packet down would lose 714 ns.
  Serializer s;
  s.configure(7'000'000, nullptr, std::nullopt);
  TimePoint t = t0;
  for (int i = 0; i < 1000; ++i) t = s.finish(t, 1500);
  EXPECT_EQ(t - t0, Duration(1'714'285'714));
  // After an idle gap the link starts afresh, with no carried fraction.
  const TimePoint later = t + 1s;
  EXPECT_EQ(s.finish(later, 1500) - later, Duration(1'714'285));
}

TEST(Serializer, TraceDeliversAtItsOpportunitiesAndRepeats) {
  // Opportunities at 5, 5 and 10 ms, repeating every 10 ms: four full-size packets waiting at t0 leave at
  // 5, 5, 10 and 15 ms.
  auto trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{5ms, 5ms, 10ms}, 1500});
  Serializer s;
  s.configure(0, trace, std::nullopt);
  TimePoint t = t0;
  std::vector<TimePoint> out;
  for (int i = 0; i < 4; ++i) out.push_back(t = s.finish(t, 1500));
  EXPECT_EQ(out, (std::vector<TimePoint>{at_ms(5), at_ms(5), at_ms(10), at_ms(15)}));
}

TEST(Serializer, TracePacketsShareAndSpanOpportunities) {
  // One 1500-byte opportunity each millisecond; 2000-byte packets take 1500 + 500, then 1000 + 1000, then
  // 500 + 1500 bytes: they leave at 2, 3, 4, 6 ms.
  auto trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{1ms}, 1500});
  Serializer s;
  s.configure(0, trace, t0);
  TimePoint t = t0;
  std::vector<TimePoint> out;
  for (int i = 0; i < 4; ++i) out.push_back(t = s.finish(t, 2000));
  EXPECT_EQ(out, (std::vector<TimePoint>{at_ms(2), at_ms(3), at_ms(4), at_ms(6)}));
}

TEST(Serializer, TraceOpportunitiesFoundIdleAreWasted) {
  auto trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{1ms}, 1500});
  Serializer s;
  s.configure(0, trace, t0);
  // A small packet at 0 takes 100 bytes of the 1 ms opportunity; the rest of it is not saved for a packet
  // that comes at 2.5 ms, which waits for the one at 3 ms.
  EXPECT_EQ(s.finish(t0, 100), at_ms(1));
  EXPECT_EQ(s.finish(at_ms(2.5), 1500), at_ms(3));
  // A packet at exactly an opportunity's instant may use it.
  EXPECT_EQ(s.finish(at_ms(7), 1500), at_ms(7));
}

TEST(Serializer, ATraceIsAnchoredAtItsFirstPacketUnlessGivenAnInstant) {
  auto trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{4ms}, 1500});
  Serializer s;
  s.configure(0, trace, std::nullopt);
  EXPECT_EQ(s.finish(at_ms(100), 1500), at_ms(104));
}

}  // namespace
}  // namespace endhost::netem
