// Eviction policies: S3-FIFO against LRU, on the access pattern that breaks LRU (a hot set plus scans of
// one-time objects, as a crawler or a backup job produces in front of a real site).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "http/cache/eviction.hpp"

using namespace endhost::http::cache;

namespace {

// Replays `trace` (object numbers, all of size 1) through a policy and returns the hit ratio.
double hit_ratio(EvictionKind kind, std::uint64_t capacity, const std::vector<std::uint64_t>& trace) {
  auto policy = make_eviction_policy(kind, capacity);
  std::unordered_set<std::uint64_t> present;
  std::vector<EvictionPolicy::Id> victims;
  std::size_t hits = 0;
  for (std::uint64_t key : trace) {
    if (present.count(key)) {
      ++hits;
      policy->touch(key);
      continue;
    }
    victims.clear();
    policy->insert(key, key, 1, victims);
    present.insert(key);
    for (auto v : victims) present.erase(v);
    EXPECT_LE(policy->bytes(), capacity);
    EXPECT_EQ(policy->count(), present.size());
  }
  return static_cast<double>(hits) / static_cast<double>(trace.size());
}

}  // namespace

TEST(Eviction, S3FifoBeatsLruOnAScanPlusHotSetTrace) {
  // 300 hot objects requested in every round, then a scan of 400 objects never seen again; the cache holds
  // 500. Under LRU each scan pushes most of the hot set out; S3-FIFO keeps scans in its small queue.
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> hot(300);
  for (std::uint64_t i = 0; i < hot.size(); ++i) hot[i] = i;
  std::vector<std::uint64_t> trace;
  std::uint64_t next_scan = 1'000'000;
  for (int round = 0; round < 50; ++round) {
    std::shuffle(hot.begin(), hot.end(), rng);
    trace.insert(trace.end(), hot.begin(), hot.end());
    for (int i = 0; i < 400; ++i) trace.push_back(next_scan++);
  }
  const double lru = hit_ratio(EvictionKind::lru, 500, trace);
  const double s3fifo = hit_ratio(EvictionKind::s3fifo, 500, trace);
  RecordProperty("s3fifo", std::to_string(s3fifo));
  RecordProperty("lru", std::to_string(lru));
  EXPECT_GT(s3fifo, lru + 0.15) << "s3fifo " << s3fifo << " lru " << lru;
  EXPECT_GT(s3fifo, 0.35);  // the hot set is 300 of every 700 requests: ~0.43 is the best possible
}

TEST(Eviction, S3FifoIsAtLeastAsGoodAsLruOnZipf) {
  // Zipf(0.9) over 10k objects with a cache of 1k: the bench's workload (c), scaled down.
  std::mt19937_64 rng(7);
  const std::size_t n = 10'000;
  std::vector<double> cdf(n);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) cdf[i] = sum += 1.0 / std::pow(static_cast<double>(i + 1), 0.9);
  std::uniform_real_distribution<double> u(0, sum);
  std::vector<std::uint64_t> trace(200'000);
  for (auto& k : trace)
    k = static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
  const double lru = hit_ratio(EvictionKind::lru, 1000, trace);
  const double s3fifo = hit_ratio(EvictionKind::s3fifo, 1000, trace);
  EXPECT_GE(s3fifo, lru) << "s3fifo " << s3fifo << " lru " << lru;
}

TEST(Eviction, SizesAreBoundedInBytes) {
  for (auto kind : {EvictionKind::s3fifo, EvictionKind::lru}) {
    auto policy = make_eviction_policy(kind, 100);
    std::vector<EvictionPolicy::Id> victims;
    for (EvictionPolicy::Id id = 1; id <= 50; ++id) {
      policy->insert(id, id, 7 + id % 13, victims);
      EXPECT_LE(policy->bytes(), 100u) << policy->name();
    }
    EXPECT_FALSE(victims.empty());
  }
}

TEST(Eviction, ObjectLargerThanCapacityIsRefused) {
  for (auto kind : {EvictionKind::s3fifo, EvictionKind::lru}) {
    auto policy = make_eviction_policy(kind, 100);
    std::vector<EvictionPolicy::Id> victims;
    policy->insert(1, 1, 10, victims);
    policy->insert(2, 2, 1000, victims);
    EXPECT_NE(std::find(victims.begin(), victims.end(), 2u), victims.end()) << policy->name();
    EXPECT_LE(policy->bytes(), 100u);
  }
}

TEST(Eviction, EraseReleasesBytes) {
  for (auto kind : {EvictionKind::s3fifo, EvictionKind::lru}) {
    auto policy = make_eviction_policy(kind, 1000);
    std::vector<EvictionPolicy::Id> victims;
    policy->insert(1, 1, 10, victims);
    policy->insert(2, 2, 20, victims);
    policy->erase(1);
    policy->erase(99);
    EXPECT_EQ(policy->bytes(), 20u);
    EXPECT_EQ(policy->count(), 1u);
  }
}

TEST(Eviction, S3FifoGhostHitGoesStraightToMain) {
  // Capacity 10: the small queue holds 1 unit. Object 1 is evicted from small unhit, then comes back and,
  // remembered by the ghost queue, survives a following scan.
  auto policy = make_eviction_policy(EvictionKind::s3fifo, 10);
  std::vector<EvictionPolicy::Id> victims;
  EvictionPolicy::Id id = 1;
  policy->insert(id++, 1, 1, victims);
  for (std::uint64_t k = 100; k < 120; ++k) policy->insert(id++, k, 1, victims);
  ASSERT_NE(std::find(victims.begin(), victims.end(), 1u), victims.end());
  const EvictionPolicy::Id again = id++;
  policy->insert(again, 1, 1, victims);
  policy->touch(again);
  victims.clear();
  for (std::uint64_t k = 200; k < 215; ++k) policy->insert(id++, k, 1, victims);
  EXPECT_EQ(std::find(victims.begin(), victims.end(), again), victims.end());
}
