// The shared cache: TTLs and their caps, credibility ranking, negative entries, the size bound.
#include <gtest/gtest.h>

#include <thread>

#include "dns/resolver/cache.hpp"
#include "dns/resolver/cached_answer.hpp"
#include "sim.hpp"

namespace endhost::dns::resolver::test {
namespace {

RRsetPtr a_rrset(std::string_view owner, std::uint32_t ttl, std::uint8_t last_octet = 1) {
  std::vector<Rdata> rd{rdata::A{{192, 0, 2, last_octet}}};
  return make_rrset(N(owner), RRType::A, Ttl{ttl}, rd);
}

RRsetPtr cname_rrset(std::string_view owner, std::string_view target, std::uint32_t ttl) {
  std::vector<Rdata> rd{rdata::Cname{N(target)}};
  return make_rrset(N(owner), RRType::CNAME, Ttl{ttl}, rd);
}

RRsetPtr soa_rrset(std::string_view zone, std::uint32_t ttl) {
  std::vector<Rdata> rd{rdata::Soa{N("ns.example."), N("admin.example."), 1, 2, 3, 4, 60}};
  return make_rrset(N(zone), RRType::SOA, Ttl{ttl}, rd);
}

const Instant t0{Millis(5'000'000)};

TEST(Cache, ExpiresAtTheTtl) {
  Cache c(CacheConfig{});
  c.put(a_rrset("www.example.", 10), Trust::answer_aa, t0);
  auto hit = c.get(N("WWW.Example."), RRType::A, t0 + Millis(2500));
  ASSERT_TRUE(hit.has_value()) << "names match case-insensitively";
  EXPECT_EQ(hit->ttl.seconds, 7u);
  EXPECT_TRUE(c.get(N("www.example."), RRType::A, t0 + Millis(9999)).has_value());
  EXPECT_FALSE(c.get(N("www.example."), RRType::A, t0 + Millis(10000)).has_value());
  EXPECT_EQ(c.stats().entries, core::ItemCount(0)) << "expired entries are removed when found";
}

TEST(Cache, TtlIsCappedAndZeroIsNotStored) {
  CacheConfig cfg;
  cfg.max_ttl = Ttl{100};
  Cache c(cfg);
  c.put(a_rrset("long.example.", 1'000'000), Trust::answer_aa, t0);
  EXPECT_EQ(c.get(N("long.example."), RRType::A, t0)->ttl.seconds, 100u);
  c.put(a_rrset("zero.example.", 0), Trust::answer_aa, t0);
  EXPECT_FALSE(c.get(N("zero.example."), RRType::A, t0).has_value());
}

TEST(Cache, LowerTrustDoesNotReplaceHigherTrust) {
  Cache c(CacheConfig{});
  c.put(a_rrset("ns.example.", 100, 1), Trust::answer_aa, t0);
  c.put(a_rrset("ns.example.", 100, 2), Trust::additional, t0);
  auto r = c.get(N("ns.example."), RRType::A, t0);
  EXPECT_EQ(r->trust, Trust::answer_aa);
  EXPECT_EQ(r->rrset->record(0)[3], 1);
  // Equal or higher trust replaces.
  c.put(a_rrset("ns.example.", 100, 3), Trust::answer_aa, t0);
  EXPECT_EQ(c.get(N("ns.example."), RRType::A, t0)->rrset->record(0)[3], 3);
  // Once the better entry has expired, anything may replace it.
  c.put(a_rrset("ns.example.", 100, 4), Trust::additional, t0 + Millis(100'000));
  EXPECT_EQ(c.get(N("ns.example."), RRType::A, t0 + Millis(100'000))->rrset->record(0)[3], 4);
}

TEST(Cache, MinimumTrustFiltersLookups) {
  Cache c(CacheConfig{});
  c.put(a_rrset("glue.example.", 100), Trust::additional, t0);
  EXPECT_TRUE(c.get(N("glue.example."), RRType::A, t0).has_value());
  EXPECT_FALSE(c.get(N("glue.example."), RRType::A, t0, Trust::answer).has_value());
}

TEST(Cache, NxdomainCoversEveryTypeNodataOnlyOne) {
  Cache c(CacheConfig{});
  c.put_negative(N("gone.example."), RRType::A, Rcode::NXDOMAIN, soa_rrset("example.", 60), Ttl{60}, t0);
  c.put_negative(N("www.example."), RRType::MX, Rcode::NOERROR, soa_rrset("example.", 60), Ttl{60}, t0);
  auto nx = c.get_negative(N("gone.example."), RRType::TXT, t0);
  ASSERT_TRUE(nx.has_value());
  EXPECT_EQ(nx->rcode, Rcode::NXDOMAIN);
  ASSERT_TRUE(nx->soa);
  EXPECT_TRUE(c.get_negative(N("www.example."), RRType::MX, t0).has_value());
  EXPECT_FALSE(c.get_negative(N("www.example."), RRType::A, t0).has_value());
  // Data arriving for the name and type ends the NODATA entry.
  std::vector<Rdata> mx{rdata::Mx{10, N("mail.example.")}};
  c.put(make_rrset(N("www.example."), RRType::MX, Ttl{60}, mx), Trust::answer_aa, t0);
  EXPECT_FALSE(c.get_negative(N("www.example."), RRType::MX, t0).has_value());
}

TEST(Cache, NegativeTtlIsCapped) {
  CacheConfig cfg;
  cfg.max_negative_ttl = Ttl{30};
  Cache c(cfg);
  c.put_negative(N("gone.example."), RRType::A, Rcode::NXDOMAIN, nullptr, Ttl{86400}, t0);
  EXPECT_EQ(c.get_negative(N("gone.example."), RRType::A, t0)->ttl.seconds, 30u);
  EXPECT_FALSE(c.get_negative(N("gone.example."), RRType::A, t0 + Millis(30'000)).has_value());
}

TEST(Cache, SizeBoundEvictsLeastRecentlyUsed) {
  CacheConfig cfg;
  cfg.shards = 1;
  cfg.max_bytes = core::ByteCount(64 * 1024);
  Cache c(cfg);
  c.put(a_rrset("keep.example.", 1000), Trust::answer_aa, t0);
  for (int i = 0; i < 2000; ++i) {
    c.put(a_rrset("n" + std::to_string(i) + ".example.", 1000), Trust::answer_aa, t0);
    ASSERT_TRUE(c.get(N("keep.example."), RRType::A, t0).has_value()) << "recently used, at " << i;
  }
  auto s = c.stats();
  EXPECT_LE(s.bytes, cfg.max_bytes);
  EXPECT_GT(s.evictions, core::ItemCount(1000));
  EXPECT_FALSE(c.get(N("n0.example."), RRType::A, t0).has_value());
  EXPECT_TRUE(c.get(N("n1999.example."), RRType::A, t0).has_value());
}

TEST(Cache, ConcurrentUseFromSeveralThreads) {
  Cache c(CacheConfig{});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string name = "h" + std::to_string(i % 100) + ".example.";
        c.put(a_rrset(name, 100, static_cast<std::uint8_t>(t)), Trust::answer_aa, t0);
        auto hit = c.get(N(name), RRType::A, t0);
        ASSERT_TRUE(hit.has_value());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.stats().entries, core::ItemCount(100));
}

TEST(CachedAnswer, FollowsCachedCnames) {
  Cache c(CacheConfig{});
  c.put(cname_rrset("a.example.", "b.example.", 100), Trust::answer_aa, t0);
  c.put(cname_rrset("b.example.", "c.other.", 50), Trust::answer_aa, t0);
  CachedAnswer out;
  lookup_cached_answer(c, N("a.example."), RRType::A, t0, 8, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::partial);
  EXPECT_EQ(out.count, 2u);
  EXPECT_EQ(out.next, N("c.other."));
  c.put(a_rrset("c.other.", 20), Trust::answer, t0);
  lookup_cached_answer(c, N("a.example."), RRType::A, t0, 8, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::positive);
  ASSERT_EQ(out.count, 3u);
  EXPECT_EQ(out.records[2].ttl.seconds, 20u);
  // Asking for the CNAME itself gives the CNAME.
  lookup_cached_answer(c, N("a.example."), RRType::CNAME, t0, 8, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::positive);
  EXPECT_EQ(out.count, 1u);
}

TEST(CachedAnswer, ChainEndingInNxdomain) {
  Cache c(CacheConfig{});
  c.put(cname_rrset("a.example.", "gone.example.", 100), Trust::answer_aa, t0);
  c.put_negative(N("gone.example."), RRType::A, Rcode::NXDOMAIN, soa_rrset("example.", 60), Ttl{60}, t0);
  CachedAnswer out;
  lookup_cached_answer(c, N("a.example."), RRType::A, t0, 8, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::negative);
  EXPECT_EQ(out.rcode, Rcode::NXDOMAIN);
  EXPECT_EQ(out.count, 1u);
  EXPECT_TRUE(out.soa.rrset);
}

TEST(CachedAnswer, CnameLoopStopsAtTheLimit) {
  Cache c(CacheConfig{});
  c.put(cname_rrset("a.example.", "b.example.", 100), Trust::answer_aa, t0);
  c.put(cname_rrset("b.example.", "a.example.", 100), Trust::answer_aa, t0);
  CachedAnswer out;
  lookup_cached_answer(c, N("a.example."), RRType::A, t0, 5, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::partial);
  EXPECT_EQ(out.count, 5u);
}

TEST(CachedAnswer, GlueIsNotAnAnswer) {
  Cache c(CacheConfig{});
  c.put(a_rrset("ns.example.", 100), Trust::additional, t0);
  CachedAnswer out;
  lookup_cached_answer(c, N("ns.example."), RRType::A, t0, 8, out);
  EXPECT_EQ(out.status, CachedAnswer::Status::miss);
}

TEST(Cache, ClearDropsEveryEntry) {
  Cache c(CacheConfig{});
  c.put(a_rrset("www.example.", 100), Trust::answer_aa, t0);
  c.put(a_rrset("ns.example.", 100), Trust::additional, t0);
  c.put_negative(N("gone.example."), RRType::A, Rcode::NXDOMAIN, soa_rrset("example.", 60), Ttl{60}, t0);
  EXPECT_EQ(c.clear(), 3u);
  EXPECT_FALSE(c.get(N("www.example."), RRType::A, t0).has_value());
  EXPECT_FALSE(c.get_negative(N("gone.example."), RRType::A, t0).has_value());
  EXPECT_EQ(c.stats().entries, core::ItemCount(0));
  EXPECT_EQ(c.stats().bytes, core::ByteCount(0));
  // Still usable afterwards.
  c.put(a_rrset("www.example.", 100), Trust::answer_aa, t0);
  EXPECT_TRUE(c.get(N("www.example."), RRType::A, t0).has_value());
}

}  // namespace
}  // namespace endhost::dns::resolver::test
