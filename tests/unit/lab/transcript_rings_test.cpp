// The lab's per-service transcript rings: a busy service keeps only its own newest lines, the others keep
// theirs, and sequence numbers stay shared so "everything after N" still works across services.
#include "lab/transcript_rings.hpp"

#include <gtest/gtest.h>

namespace endhost::lab {
namespace {

TEST(TranscriptRings, ABusyServiceDoesNotPushOthersOut) {
  TranscriptRings rings(3);
  core::Transcript root(&rings, "a.root-servers.net/dns");
  core::Transcript cache(&rings, "cache.someschool.edu/proxy");
  root.client("p", "query 1");
  root.client("p", "query 2");
  for (int i = 1; i <= 100; ++i) cache.client("p", "GET " + std::to_string(i));
  EXPECT_EQ(rings.last_seq(), 102u);

  auto mine = rings.since(0, 10, "a.root-servers.net/dns");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].text, "query 1");
  EXPECT_EQ(mine[0].seq, 1u);

  auto busy = rings.since(0, 10, "cache.someschool.edu/proxy");
  ASSERT_EQ(busy.size(), 3u) << "bounded per service";
  EXPECT_EQ(busy.front().text, "GET 98");
  EXPECT_EQ(busy.back().seq, 102u);

  auto all = rings.since(0, 1000);
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].seq, all[i].seq) << "oldest first";
  EXPECT_EQ(all.front().text, "query 1");
}

TEST(TranscriptRings, SinceAndLimitAcrossServices) {
  TranscriptRings rings(100);
  core::Transcript a(&rings, "a/web");
  core::Transcript b(&rings, "b/web");
  for (int i = 1; i <= 10; ++i) (i % 2 ? a : b).server("p", std::to_string(i));
  auto newer = rings.since(7);
  ASSERT_EQ(newer.size(), 3u);
  EXPECT_EQ(newer[0].text, "8");
  auto newest = rings.since(0, 4);
  ASSERT_EQ(newest.size(), 4u) << "the newest `limit`, over every service";
  EXPECT_EQ(newest[0].seq, 7u);
  EXPECT_EQ(newest[3].seq, 10u);
  EXPECT_TRUE(rings.since(0, 10, "c/web").empty());
  a.note("p", std::string_view("x\x1b"
                               "y",
                               3));
  EXPECT_EQ(rings.since(10)[0].text, "x\\x1by");
}

// The dashboard's "older lines": the page before a sequence number, for one service or across all.
TEST(TranscriptRings, PagesBackBeforeASequenceNumber) {
  TranscriptRings rings(100);
  core::Transcript a(&rings, "a/web");
  core::Transcript b(&rings, "b/web");
  for (int i = 1; i <= 10; ++i) (i % 2 ? a : b).server("p", std::to_string(i));
  auto page = rings.since(0, 3, {}, 8);
  ASSERT_EQ(page.size(), 3u) << "the newest 3 before seq 8";
  EXPECT_EQ(page[0].seq, 5u);
  EXPECT_EQ(page[2].seq, 7u);
  auto older = rings.since(0, 3, {}, page[0].seq);
  ASSERT_EQ(older.size(), 3u);
  EXPECT_EQ(older[0].seq, 2u);
  EXPECT_EQ(older[2].seq, 4u);
  auto oldest = rings.since(0, 3, {}, older[0].seq);
  ASSERT_EQ(oldest.size(), 1u) << "a short page: nothing older is kept";
  EXPECT_TRUE(rings.since(0, 3, {}, 1).empty());
  auto mine = rings.since(0, 2, "a/web", 9);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].text, "5");
  EXPECT_EQ(mine[1].text, "7");
  auto between = rings.since(3, 100, {}, 6);
  ASSERT_EQ(between.size(), 2u) << "after and before together";
  EXPECT_EQ(between[0].seq, 4u);
}

}  // namespace
}  // namespace endhost::lab
