// StreamTable (src/http2/stream_table.hpp): the open-addressed id table of the connection's streams and the
// web session's bodies, against a std::map driven by the same random inserts and erases (the erase's
// backward shift is what could lose or strand an entry).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>

#include "http2/stream_table.hpp"

namespace endhost::http2 {
namespace {

TEST(Http2StreamTable, InsertFindErase) {
  StreamTable<int> t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find(1), nullptr);
  t[1] = 10;
  t[3] = 30;
  t[2] = 20;
  EXPECT_EQ(t.size(), 3u);
  ASSERT_NE(t.find(3), nullptr);
  EXPECT_EQ(*t.find(3), 30);
  EXPECT_EQ(t[1], 10);  // operator[] on a present id neither adds nor resets
  EXPECT_EQ(t.size(), 3u);
  EXPECT_TRUE(t.erase(1));
  EXPECT_FALSE(t.erase(1));
  EXPECT_FALSE(t.erase(0));
  EXPECT_EQ(t.find(1), nullptr);
  EXPECT_EQ(t.size(), 2u);
  int sum = 0;
  for (const auto& [id, v] : t) sum += static_cast<int>(id) + v;
  EXPECT_EQ(sum, 2 + 20 + 3 + 30);
}

TEST(Http2StreamTable, MoveOnlyValuesSurviveGrowth) {
  StreamTable<std::unique_ptr<int>> t;
  for (std::uint32_t id = 1; id < 2000; id += 2) t[id] = std::make_unique<int>(static_cast<int>(id));
  for (std::uint32_t id = 1; id < 2000; id += 2) {
    ASSERT_NE(t.find(id), nullptr) << id;
    EXPECT_EQ(**t.find(id), static_cast<int>(id));
  }
  EXPECT_EQ(t.find(2), nullptr);
}

TEST(Http2StreamTable, AgreesWithAMapUnderRandomChurn) {
  std::mt19937 rng(7);
  StreamTable<std::uint32_t> t;
  std::map<std::uint32_t, std::uint32_t> m;
  for (int step = 0; step < 200000; ++step) {
    // Ids from a narrow range, so that inserts and erases collide and probe runs wrap the array.
    const std::uint32_t id = 1 + rng() % 300;
    if (rng() % 3 == 0) {
      EXPECT_EQ(t.erase(id), m.erase(id) == 1);
    } else {
      t[id] = id * 7;
      m[id] = id * 7;
    }
    if (step % 997 == 0) {
      ASSERT_EQ(t.size(), m.size());
      for (std::uint32_t k = 1; k <= 300; ++k) {
        const std::uint32_t* v = t.find(k);
        auto it = m.find(k);
        ASSERT_EQ(v != nullptr, it != m.end()) << k;
        if (v != nullptr) {
          EXPECT_EQ(*v, it->second);
        }
      }
      std::size_t seen = 0;
      for (const auto& [k, v] : t) {
        ++seen;
        EXPECT_EQ(m.at(k), v);
      }
      EXPECT_EQ(seen, m.size());
    }
  }
  // Emptied, it gives its array back and works again.
  for (auto& [k, v] : m) t.erase(k);
  EXPECT_TRUE(t.empty());
  t[5] = 1;
  EXPECT_EQ(*t.find(5), 1u);
}

}  // namespace
}  // namespace endhost::http2
