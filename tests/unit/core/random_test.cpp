#include "core/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

#include "core/system_random.hpp"

namespace endhost::core {
namespace {

TEST(SeededRandom, SameSeedSameBytes) {
  SeededRandom a(7), b(7), c(8);
  std::array<std::uint8_t, 37> x{}, y{}, z{};
  a.fill(x);
  b.fill(y);
  c.fill(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  EXPECT_EQ(a.next(), b.next());
}

TEST(SeededRandom, BelowStaysInRangeAndCoversIt) {
  SeededRandom r(1);
  std::vector<int> seen(10, 0);
  for (int i = 0; i < 10'000; ++i) {
    const std::uint32_t v = r.below(10);
    ASSERT_LT(v, 10u);
    ++seen[v];
  }
  // Uniform enough: every value within 20% of the mean of 1,000.
  for (int n : seen) {
    EXPECT_GT(n, 800);
    EXPECT_LT(n, 1200);
  }
  EXPECT_EQ(r.below(1), 0u);
}

TEST(RandomSource, HexIsTwoLowerCaseDigitsPerByte) {
  SeededRandom r(3);
  const std::string h = r.hex(40);  // more than one internal block
  ASSERT_EQ(h.size(), 80u);
  for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
  EXPECT_EQ(r.hex(0), "");
}

TEST(SystemRandom, GivesDistinctValues) {
  SystemRandom r;
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(r.hex(16));
  EXPECT_EQ(ids.size(), 100u);
  // Two sources do not repeat each other (no shared seed).
  SystemRandom other;
  EXPECT_NE(r.hex(16), other.hex(16));
}

TEST(SystemRandom, FillsRequestsLargerThanItsPool) {
  SystemRandom r;
  std::vector<std::uint8_t> big(4096, 0);
  r.fill(big);
  std::size_t zeros = 0;
  for (auto b : big) zeros += b == 0;
  EXPECT_LT(zeros, 64u);  // about 16 expected
}

TEST(SystemRandom, SixteenBitIdsSpreadOverTheirRange) {
  SystemRandom r;
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(r.next16());
  EXPECT_GT(ids.size(), 980u);  // ~7.6 collisions expected among 1,000 draws from 65,536
}

}  // namespace
}  // namespace endhost::core
