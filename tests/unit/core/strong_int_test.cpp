#include "core/strong_int.hpp"

#include <gtest/gtest.h>

#include <type_traits>
#include <unordered_set>

namespace endhost::core {
namespace {

// The mix-ups StrongInt exists to stop are compile errors; these are checked here, not left to chance.
static_assert(!std::is_convertible_v<std::uint64_t, ByteCount>, "construction is explicit");
static_assert(!std::is_convertible_v<ByteCount, std::uint64_t>, "no implicit way back");
static_assert(!std::is_convertible_v<ItemCount, ByteCount>, "kinds do not convert");
template <class A, class B>
concept Addable = requires(A a, B b) {
  a + b;
};
template <class A, class B>
concept Comparable = requires(A a, B b) {
  a < b;
};
static_assert(Addable<ByteCount, ByteCount>);
static_assert(!Addable<ByteCount, ItemCount>, "bytes plus items does not compile");
static_assert(!Addable<ByteCount, std::uint64_t>, "nor bytes plus a bare number");
static_assert(!Comparable<ByteCount, ItemCount>);
static_assert(!Comparable<ByteCount, int>);
static_assert(sizeof(ByteCount) == sizeof(std::uint64_t), "no cost");

TEST(StrongInt, ArithmeticWithinAKind) {
  ByteCount a(100), b(28);
  EXPECT_EQ((a + b).value(), 128u);
  EXPECT_EQ((a - b).value(), 72u);
  a += b;
  EXPECT_EQ(a, ByteCount(128));
  EXPECT_EQ(a * 2, ByteCount(256));
  EXPECT_EQ(a / 4, ByteCount(32)) << "a budget split between shards stays bytes";
  EXPECT_EQ(a / ByteCount(32), 4u) << "a ratio of two byte counts is a plain number";
  EXPECT_LT(b, a);
  EXPECT_EQ(ByteCount().value(), 0u);
}

TEST(StrongInt, Hashes) {
  std::unordered_set<ItemCount> s{ItemCount(1), ItemCount(2), ItemCount(1)};
  EXPECT_EQ(s.size(), 2u);
}

}  // namespace
}  // namespace endhost::core
