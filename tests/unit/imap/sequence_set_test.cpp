// Sequence sets as sent and resolved (RFC 9051 §9 sequence-set, §6.4.9 for UID ranges past the end).
#include <gtest/gtest.h>

#include "imap/sequence_set.hpp"

namespace endhost::imap {
namespace {

SequenceSet set(std::initializer_list<SeqRange> ranges) {
  return SequenceSet{ranges};
}

TEST(ImapSequenceSet, ResolveOrdersClipsAndMerges) {
  // 4:2 is 2:4; 7:* with 10 messages is 7:10; 12 is past the end and dropped; 5 and 6 join their neighbours.
  const auto r = resolve(set({{4, 2}, {12, 12}, {7, kStar}, {5, 5}, {6, 6}}), 10);
  EXPECT_EQ(format(r), "2:10");
  EXPECT_EQ(format(resolve(set({{1, 1}, {3, 3}, {5, 5}}), 10)), "1,3,5");
}

TEST(ImapSequenceSet, StarIsTheMaximum) {
  EXPECT_EQ(format(resolve(set({{kStar, kStar}}), 42)), "42");
  EXPECT_EQ(format(resolve(set({{kStar, 40}}), 42)), "40:42");
}

TEST(ImapSequenceSet, UidRangePastTheEndIncludesTheLast) {
  // RFC 9051 §6.4.9: "UID 100:*" with highest UID 42 still matches 42 (the range is 42:100).
  EXPECT_EQ(format(resolve(set({{100, kStar}}), 42)), "42");
}

TEST(ImapSequenceSet, EmptyMailbox) {
  EXPECT_TRUE(resolve(set({{1, kStar}}), 0).empty());
  EXPECT_TRUE(resolve(set({{5, 9}}), 4).empty());
}

TEST(ImapSequenceSet, TopOfTheNumberRange) {
  constexpr std::uint32_t top = 4294967295u;
  const auto r = resolve(set({{top, top}, {1, top - 1}}), top);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], (SeqRange{1, top}));
  EXPECT_TRUE(contains(r, top));
}

TEST(ImapSequenceSet, Contains) {
  const auto r = resolve(set({{2, 4}, {8, 9}}), 20);
  for (std::uint32_t n : {2u, 3u, 4u, 8u, 9u}) EXPECT_TRUE(contains(r, n)) << n;
  for (std::uint32_t n : {0u, 1u, 5u, 7u, 10u, 21u}) EXPECT_FALSE(contains(r, n)) << n;
  EXPECT_FALSE(contains({}, 1));
}

TEST(ImapSequenceSet, Exceeds) {
  EXPECT_FALSE(exceeds(set({{1, kStar}}), 3));
  EXPECT_FALSE(exceeds(set({{3, 1}}), 3));
  EXPECT_TRUE(exceeds(set({{1, 4}}), 3));
  EXPECT_TRUE(exceeds(set({{4, kStar}}), 3));
}

TEST(ImapSequenceSet, FormatAsSent) {
  EXPECT_EQ(format(set({{1, 3}, {5, 5}, {7, kStar}}).ranges), "1:3,5,7:*");
}

}  // namespace
}  // namespace endhost::imap
