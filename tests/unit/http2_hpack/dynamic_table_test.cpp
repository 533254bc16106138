// The static table (Appendix A) and the dynamic table (§2.3, §4): sizes, eviction, size changes, and the
// byte store checked against a simple model over many inserts.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

#include "http2/hpack/dynamic_table.hpp"
#include "http2/hpack/field.hpp"
#include "http2/hpack/static_table.hpp"

namespace endhost::http2::hpack {
namespace {

TEST(Http2HpackStaticTable, Entries) {
  EXPECT_EQ(static_entry(1).name, ":authority");
  EXPECT_EQ(static_entry(2).value, "GET");
  EXPECT_EQ(static_entry(8).value, "200");
  EXPECT_EQ(static_entry(16).value, "gzip, deflate");
  EXPECT_EQ(static_entry(32).name, "cookie");
  EXPECT_EQ(static_entry(55).name, "set-cookie");
  EXPECT_EQ(static_entry(61).name, "www-authenticate");
}

TEST(Http2HpackStaticTable, Find) {
  EXPECT_EQ(find_static(":method", "POST").index, 3u);
  EXPECT_TRUE(find_static(":method", "POST").full);
  EXPECT_EQ(find_static(":method", "PUT").index, 2u);
  EXPECT_FALSE(find_static(":method", "PUT").full);
  EXPECT_EQ(find_static(":status", "404").index, 13u);
  EXPECT_EQ(find_static("www-authenticate", "").index, 61u);
  EXPECT_TRUE(find_static("www-authenticate", "").full);
  EXPECT_EQ(find_static("x-custom", "").index, 0u);
  EXPECT_EQ(find_static("", "").index, 0u);
  EXPECT_EQ(find_static("x", "").index, 0u);
  EXPECT_EQ(find_static("content-typf", "").index, 0u);  // same length and ends as a static name
  EXPECT_EQ(find_static("access-control-allow-origins", "").index, 0u);
}

// Every entry, against a linear scan of the table: the hashed lookup finds the same lowest index.
TEST(Http2HpackStaticTable, FindMatchesAScanForEveryEntry) {
  for (std::size_t i = 1; i <= kStaticTableSize; ++i) {
    const TableEntry e = static_entry(i);
    std::size_t first = 0;
    std::size_t full = 0;
    for (std::size_t j = 1; j <= kStaticTableSize; ++j) {
      if (static_entry(j).name != e.name) continue;
      if (first == 0) first = j;
      if (full == 0 && static_entry(j).value == e.value) full = j;
    }
    EXPECT_EQ(find_static(e.name, e.value).index, full) << e.name;
    EXPECT_TRUE(find_static(e.name, e.value).full) << e.name;
    EXPECT_EQ(find_static(e.name, "no such value").index, first) << e.name;
    EXPECT_FALSE(find_static(e.name, "no such value").full) << e.name;
  }
}

TEST(Http2HpackDynamicTable, SizesAndEviction) {
  DynamicTable t(100);
  t.insert("aaaa", "bbbb");  // 40
  t.insert("cc", "dd");      // 36
  EXPECT_EQ(t.size(), 76u);
  EXPECT_EQ(t.count(), 2u);
  EXPECT_EQ(t.entry(0).name, "cc");
  EXPECT_EQ(t.entry(1).value, "bbbb");
  t.insert("e", "");  // 33: evicts the oldest
  EXPECT_EQ(t.count(), 2u);
  EXPECT_EQ(t.size(), 69u);
  EXPECT_EQ(t.entry(1).name, "cc");
  t.insert(std::string(60, 'x'), "y");  // 93: evicts both
  EXPECT_EQ(t.count(), 1u);
  EXPECT_EQ(t.size(), 93u);
  t.insert(std::string(60, 'x'), "yyyyyyyyy");  // 101 > 100: empties the table, not added (§4.4)
  EXPECT_EQ(t.count(), 0u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(Http2HpackDynamicTable, SetMaxSize) {
  DynamicTable t;
  for (int i = 0; i < 10; ++i) t.insert("name" + std::to_string(i), "value");
  EXPECT_EQ(t.size(), 10u * 42);
  t.set_max_size(100);
  EXPECT_EQ(t.count(), 2u);
  EXPECT_EQ(t.entry(0).name, "name9");
  EXPECT_EQ(t.entry(1).name, "name8");
  t.set_max_size(0);
  EXPECT_EQ(t.count(), 0u);
  t.insert("a", "b");
  EXPECT_EQ(t.count(), 0u);
  t.set_max_size(4096);
  t.insert("a", "b");
  EXPECT_EQ(t.entry(0).value, "b");
}

TEST(Http2HpackDynamicTable, InsertFromItsOwnEntry) {
  DynamicTable t(80);
  t.insert("custom-name", "v1");  // 45
  const TableEntry old = t.entry(0);
  t.insert(old.name, "v2");  // evicts the entry whose name it copies
  EXPECT_EQ(t.count(), 1u);
  EXPECT_EQ(t.entry(0).name, "custom-name");
  EXPECT_EQ(t.entry(0).value, "v2");
}

TEST(Http2HpackDynamicTable, MatchesAModelOverManyInserts) {
  std::mt19937 rng(4096);
  DynamicTable t(512);
  std::deque<std::pair<std::string, std::string>> model;  // front = newest
  std::size_t model_max = 512;
  auto model_size = [&] {
    std::size_t s = 0;
    for (const auto& [n, v] : model) s += field_size(n, v);
    return s;
  };
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 500 == 0) {
      model_max = rng() % 1024;
      t.set_max_size(static_cast<std::uint32_t>(model_max));
      while (model_size() > model_max) model.pop_back();
    } else {
      std::string name(rng() % 40, static_cast<char>('a' + step % 26));
      std::string value(rng() % (rng() % 8 == 0 ? 600 : 60), static_cast<char>('A' + step % 26));
      t.insert(name, value);
      const std::size_t size = field_size(name, value);
      while (!model.empty() && model_size() + size > model_max) model.pop_back();
      if (size <= model_max) model.emplace_front(name, value);
    }
    ASSERT_EQ(t.count(), model.size()) << step;
    ASSERT_EQ(t.size(), model_size()) << step;
    for (std::size_t i = 0; i < model.size(); ++i) {
      ASSERT_EQ(t.entry(i).name, model[i].first) << step;
      ASSERT_EQ(t.entry(i).value, model[i].second) << step;
    }
  }
}

}  // namespace
}  // namespace endhost::http2::hpack
