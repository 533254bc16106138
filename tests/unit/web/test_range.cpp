// RFC 9110 §14: Range parsing against a length, and the layout of multipart/byteranges.
#include <gtest/gtest.h>

#include "http/server/range.hpp"

namespace endhost::web {
namespace {

struct Parsed {
  RangeOutcome outcome;
  std::vector<ByteRange> ranges;
};

Parsed parse(std::string_view value, std::uint64_t length, std::size_t max = 16) {
  Parsed p;
  p.outcome = parse_range(value, length, max, p.ranges);
  return p;
}

TEST(Range, SingleRanges) {
  auto p = parse("bytes=0-499", 10000);
  ASSERT_EQ(p.outcome, RangeOutcome::partial);
  EXPECT_EQ(p.ranges, (std::vector<ByteRange>{{0, 499}}));
  EXPECT_EQ(parse("bytes=9500-", 10000).ranges, (std::vector<ByteRange>{{9500, 9999}}));
  EXPECT_EQ(parse("bytes=-500", 10000).ranges, (std::vector<ByteRange>{{9500, 9999}}));
  EXPECT_EQ(parse("bytes=0-0", 1).ranges, (std::vector<ByteRange>{{0, 0}}));
  // Clamped to the end, suffix longer than the file = the whole file.
  EXPECT_EQ(parse("bytes=5-999999", 10).ranges, (std::vector<ByteRange>{{5, 9}}));
  EXPECT_EQ(parse("bytes=-20", 10).ranges, (std::vector<ByteRange>{{0, 9}}));
  EXPECT_EQ(parse("BYTES=1-2", 10).outcome, RangeOutcome::partial);
  EXPECT_EQ(parse("bytes= 1-2 ,", 10).ranges, (std::vector<ByteRange>{{1, 2}}));
}

TEST(Range, Unsatisfiable) {
  EXPECT_EQ(parse("bytes=10-", 10).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(parse("bytes=100-200", 10).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(parse("bytes=-0", 10).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(parse("bytes=0-", 0).outcome, RangeOutcome::unsatisfiable);
  EXPECT_EQ(parse("bytes=-5", 0).outcome, RangeOutcome::unsatisfiable);
  // One satisfiable range among unsatisfiable ones is enough.
  auto p = parse("bytes=50-60,2-3", 10);
  EXPECT_EQ(p.outcome, RangeOutcome::partial);
  EXPECT_EQ(p.ranges, (std::vector<ByteRange>{{2, 3}}));
}

TEST(Range, InvalidIsIgnored) {
  for (const char* v : {"bytes=5-1", "bytes=a-b", "bytes=1-2-3", "bytes=", "bytes", "items=0-1", "bytes=--1",
                        "bytes=+1-2", "bytes=1", "bytes=99999999999999999999-", "bytes=0-1,x"}) {
    EXPECT_EQ(parse(v, 10).outcome, RangeOutcome::ignore) << v;
  }
}

TEST(Range, TooManyRangesAreIgnored) {
  EXPECT_EQ(parse("bytes=0-0,2-2,4-4", 10, 2).outcome, RangeOutcome::ignore);
  EXPECT_EQ(parse("bytes=0-0,2-2", 10, 2).outcome, RangeOutcome::partial);
}

TEST(Range, OverlappingRangesAreCoalescedAndSorted) {
  auto p = parse("bytes=5-7,0-1,6-9,2-2", 100);
  ASSERT_EQ(p.outcome, RangeOutcome::partial);
  EXPECT_EQ(p.ranges, (std::vector<ByteRange>{{0, 2}, {5, 9}}));
  // Overlaps cannot amplify: "0-,0-,0-" is one range.
  EXPECT_EQ(parse("bytes=0-,0-,0-", 100).ranges, (std::vector<ByteRange>{{0, 99}}));
}

TEST(Range, ContentRangeText) {
  std::string s;
  append_content_range(s, {0, 499}, 1234);
  EXPECT_EQ(s, "bytes 0-499/1234");
  s.clear();
  append_unsatisfied_range(s, 1234);
  EXPECT_EQ(s, "bytes */1234");
}

TEST(Range, MultipartByterangesLayout) {
  ByterangesBody body;
  build_byteranges({{0, 1}, {5, 6}}, 10, "text/plain", "BOUND", body);
  ASSERT_EQ(body.parts.size(), 2u);
  EXPECT_EQ(body.parts[0].header,
            "\r\n--BOUND\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n");
  EXPECT_EQ(body.trailer, "\r\n--BOUND--\r\n");
  std::uint64_t total = body.trailer.size();
  for (const auto& part : body.parts) total += part.header.size() + part.range.length();
  EXPECT_EQ(body.total_length, total);
}

}  // namespace
}  // namespace endhost::web
