// RFC 9211 (Cache-Status), RFC 9110 §14 (ranges served from a stored response) and §7.6.1 (hop-by-hop).
#include <gtest/gtest.h>

// Designated initializers name only the members a case sets; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <vector>

#include "http/cache/cache_status.hpp"
#include "http/cache/hop_by_hop.hpp"
#include "http/cache/range.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

namespace {
std::string status(std::string_view name, const CacheStatus& s) {
  std::string out;
  append_cache_status(out, name, s);
  return out;
}
}  // namespace

TEST(CacheStatus, Rfc9211_2_1_Hit) {
  EXPECT_EQ(status("endhost", {.hit = true, .ttl = 42}), "endhost; hit; ttl=42");
}

TEST(CacheStatus, Rfc9211_2_2_ForwardedAndStored) {
  EXPECT_EQ(status("endhost", {.fwd = Forward::uri_miss, .fwd_status = 200, .stored = true}),
            "endhost; fwd=uri-miss; fwd-status=200; stored");
  EXPECT_EQ(status("endhost", {.fwd = Forward::stale, .fwd_status = 304, .ttl = 60}),
            "endhost; fwd=stale; fwd-status=304; ttl=60");
  EXPECT_EQ(status("endhost", {.fwd = Forward::vary_miss, .collapsed = true}),
            "endhost; fwd=vary-miss; collapsed");
}

TEST(CacheStatus, Rfc9211_2_8_DetailAndNonTokenNames) {
  EXPECT_EQ(status("endhost", {.fwd = Forward::uri_miss, .detail = "no-store"}),
            "endhost; fwd=uri-miss; detail=no-store");
  EXPECT_EQ(status("my cache", {.hit = true, .detail = "a \"b\""}),
            "\"my cache\"; hit; detail=\"a \\\"b\\\"\"");
  EXPECT_EQ(status("cache", {.hit = true, .ttl = -5}), "cache; hit; ttl=-5");
}

TEST(Range, Rfc9110_14_1_2_SingleRanges) {
  auto d = evaluate_range("bytes=0-99", 1000);
  EXPECT_EQ(d.kind, RangeKind::partial);
  EXPECT_EQ(d.range, (ByteRange{0, 99}));
  EXPECT_EQ(content_range(d, 1000), "bytes 0-99/1000");
  EXPECT_EQ(evaluate_range("bytes=900-", 1000).range, (ByteRange{900, 999}));
  EXPECT_EQ(evaluate_range("bytes=-100", 1000).range, (ByteRange{900, 999}));
  EXPECT_EQ(evaluate_range("bytes=-5000", 1000).range, (ByteRange{0, 999}));
  EXPECT_EQ(evaluate_range("bytes=990-5000", 1000).range, (ByteRange{990, 999}));
  EXPECT_EQ(evaluate_range("BYTES=1-1", 10).range, (ByteRange{1, 1}));
}

TEST(Range, Rfc9110_14_1_2_Unsatisfiable) {
  auto d = evaluate_range("bytes=1000-", 1000);
  EXPECT_EQ(d.kind, RangeKind::unsatisfiable);
  EXPECT_EQ(content_range(d, 1000), "bytes */1000");
  EXPECT_EQ(evaluate_range("bytes=-0", 1000).kind, RangeKind::unsatisfiable);
}

TEST(Range, Rfc9110_14_2_IgnoredRangesGiveTheFullResponse) {
  EXPECT_EQ(evaluate_range(std::nullopt, 10).kind, RangeKind::full);
  EXPECT_EQ(evaluate_range("bytes=0-1,5-6", 10).kind, RangeKind::full);
  EXPECT_EQ(evaluate_range("items=0-1", 10).kind, RangeKind::full);
  EXPECT_EQ(evaluate_range("bytes=5-1", 10).kind, RangeKind::full);
  EXPECT_EQ(evaluate_range("bytes=x-1", 10).kind, RangeKind::full);
  EXPECT_EQ(evaluate_range("bytes=99999999999999999999-", 10).kind, RangeKind::full);
}

TEST(Range, Rfc9110_13_1_5_IfRange) {
  Fields stored{{"ETag", "\"a\""}, {"Last-Modified", "Tue, 15 Nov 1994 08:12:31 GMT"}};
  EXPECT_TRUE(if_range_allows(std::nullopt, stored));
  EXPECT_TRUE(if_range_allows("\"a\"", stored));
  EXPECT_FALSE(if_range_allows("\"b\"", stored));
  EXPECT_FALSE(if_range_allows("W/\"a\"", stored));
  EXPECT_TRUE(if_range_allows("Tue, 15 Nov 1994 08:12:31 GMT", stored));
  EXPECT_FALSE(if_range_allows("Tue, 15 Nov 1994 08:12:32 GMT", stored));
}

TEST(Range, Rfc9110_14_4_ContentRangeOfAStorablePartial) {
  EXPECT_EQ(parse_content_range("bytes 4-9/10"), (HeldRange{{4, 9}, 10}));
  EXPECT_EQ(parse_content_range("Bytes 0-0/1"), (HeldRange{{0, 0}, 1}));
  for (const char* bad : {"bytes 4-9/*", "bytes */10", "bytes 9-4/10", "bytes 4-10/10", "items 0-1/2",
                          "bytes 4-9", "bytes -9/10", "bytes 4-/10", "bytes 4 - 9/10", "bytes 1-2/3/4", ""})
    EXPECT_FALSE(parse_content_range(bad)) << bad;
}

TEST(Range, Rfc9111_3_3_OnlyRangesWhollyInsideAPartialAreServedFromIt) {
  const HeldRange held{{4, 9}, 10};  // the last six bytes of ten
  EXPECT_EQ(range_within("bytes=-6", held), (ByteRange{4, 9}));
  EXPECT_EQ(range_within("bytes=6-8", held), (ByteRange{6, 8}));
  EXPECT_EQ(range_within("bytes=6-", held), (ByteRange{6, 9}));
  EXPECT_EQ(range_within("bytes=-1", held), (ByteRange{9, 9}));
  EXPECT_EQ(range_within("bytes=8-100", held), (ByteRange{8, 9}));  // clipped to the length first
  EXPECT_FALSE(range_within("bytes=3-5", held));                    // starts before what is held
  EXPECT_FALSE(range_within("bytes=-7", held));
  EXPECT_FALSE(range_within("bytes=10-", held));  // unsatisfiable: the origin answers that
  EXPECT_FALSE(range_within("bytes=4-5,7-8", held));
  EXPECT_FALSE(range_within(std::nullopt, held));  // the whole representation is not here
  const HeldRange head{{0, 4}, 10};
  EXPECT_EQ(range_within("bytes=0-4", head), (ByteRange{0, 4}));
  EXPECT_FALSE(range_within("bytes=0-", head));
}

TEST(HopByHop, Rfc9110_7_6_1_FixedSetAndConnectionOptions) {
  Fields f{{"Connection", "close, X-Trace"},
           {"X-Trace", "1"},
           {"Keep-Alive", "5"},
           {"TE", "trailers"},
           {"Upgrade", "h2c"},
           {"Proxy-Authorization", "Basic x"},
           {"Transfer-Encoding", "chunked"},
           {"Content-Type", "a/b"},
           {"Proxy-Connection", "keep-alive"}};
  remove_hop_by_hop(f);
  EXPECT_EQ(f, (Fields{{"Content-Type", "a/b"}}));
  std::vector<FieldView> v{{"Connection", "keep-alive, x-a"}};
  ConnectionOptions options{FieldsView(v)};
  EXPECT_TRUE(options.drop("X-A"));
  EXPECT_TRUE(options.drop("connection"));
  EXPECT_FALSE(options.drop("close"));
  EXPECT_FALSE(options.drop("Accept"));
}
