// ChunkedDecoder on its own (RFC 9112 §7.1): sizes, extensions, trailers, limits, zero-copy spans.
#include <gtest/gtest.h>

#include <string>

#include "http/chunked.hpp"

namespace endhost::http {
namespace {

struct Decoded {
  std::string body;
  Fields trailers;
  std::size_t consumed = 0;
};

// Feeds `wire` in pieces of `piece` bytes, keeping unconsumed bytes like a session would.
Expected<Decoded, Error> decode(std::string_view wire, std::size_t piece = 0, const Limits& limits = {}) {
  ChunkedDecoder d(limits);
  Decoded out;
  std::string buf;
  std::size_t fed = 0;
  while (true) {
    const std::size_t n = piece == 0 ? wire.size() - fed : std::min(piece, wire.size() - fed);
    buf.append(wire.substr(fed, n));
    fed += n;
    while (true) {
      auto step = d.decode(buf);
      if (!step) return Unexpected(step.error());
      out.body.append(step->data);
      out.consumed += step->consumed;
      if (step->done) {
        out.trailers = Fields(d.trailers());
        return out;
      }
      buf.erase(0, step->consumed);
      if (step->consumed == 0) break;
    }
    if (fed == wire.size()) return Unexpected(Error{Errc::unexpected_eof, Status::bad_request, true});
  }
}

TEST(Chunked, DataSpansPointIntoTheBuffer) {
  ChunkedDecoder d;
  const std::string_view wire = "5\r\nhello\r\n0\r\n\r\n";
  auto step = d.decode(wire);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->data, "hello");
  EXPECT_EQ(step->data.data(), wire.data() + 3);
  EXPECT_EQ(step->consumed, 8u);
  step = d.decode(wire.substr(8));
  ASSERT_TRUE(step);
  EXPECT_TRUE(step->done);
  EXPECT_EQ(step->consumed, wire.size() - 8);
  EXPECT_EQ(d.body_size(), 5u);
}

TEST(Chunked, HexSizesBothCases) {
  auto r = decode("a\r\n0123456789\r\nA\r\n0123456789\r\n00\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), 20u);
}

TEST(Chunked, EveryPieceSizeGivesTheSameResult) {
  const std::string_view wire =
      "4;a=b;c=\"d;\\\"e\"\r\nWiki\r\n5 ; x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n"
      "X-Y: z\r\n\r\n";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    auto r = decode(wire, piece);
    ASSERT_TRUE(r) << "piece " << piece << ": " << describe(r.error().code);
    EXPECT_EQ(r->body, "Wikipedia in\r\n\r\nchunks.");
    EXPECT_EQ(r->trailers, (Fields{{"Expires", "never"}, {"X-Y", "z"}}));
    EXPECT_EQ(r->consumed, wire.size());
  }
}

// RFC 9112 §7.1: chunk-size overflow must be prevented.
TEST(Chunked, SizeDigitLimitIs400) {
  EXPECT_TRUE(decode("000000000000000a\r\n0123456789\r\n0\r\n\r\n"));  // 16 digits
  auto r = decode("0000000000000000a\r\n0123456789\r\n0\r\n\r\n");     // 17 digits
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_chunk_size);
  EXPECT_EQ(r.error().status, Status::bad_request);
}

TEST(Chunked, HugeSizeHitsBodyLimit413) {
  auto r = decode("ffffffffffffffff\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, Status::content_too_large);
}

// RFC 9112 §7.1.1: extensions parsed, ignored, bounded.
TEST(Chunked, ExtensionsAreBounded) {
  Limits l;
  l.max_chunk_ext_bytes = 16;
  EXPECT_TRUE(decode("1;a=b\r\nx\r\n1;c=d\r\ny\r\n0\r\n\r\n", 0, l));
  auto r = decode("1;" + std::string(20, 'a') + "\r\nx\r\n0\r\n\r\n", 0, l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_chunk_ext);
  // The bound is per message, not per chunk: many small extensions add up.
  r = decode("1;aaaaa\r\nx\r\n1;bbbbb\r\nx\r\n1;ccccc\r\nx\r\n0\r\n\r\n", 0, l);
  ASSERT_FALSE(r);
}

TEST(Chunked, MalformedExtensionsAre400) {
  for (std::string_view wire :
       {"1;\r\nx\r\n0\r\n\r\n", "1;=a\r\nx\r\n0\r\n\r\n", "1;a=\r\nx\r\n0\r\n\r\n",
        "1;a=b c\r\nx\r\n0\r\n\r\n", "1;a=\"b\r\nx\r\n0\r\n\r\n", "1;a=\"b\"c\r\nx\r\n0\r\n\r\n",
        "1;a\x01\r\nx\r\n0\r\n\r\n", "1 \r\nx\r\n0\r\n\r\n"}) {
    auto r = decode(wire);
    ASSERT_FALSE(r) << wire;
    EXPECT_EQ(r.error().status, Status::bad_request) << wire;
  }
}

TEST(Chunked, MissingCrlfAfterDataIs400) {
  auto r = decode("3\r\nabcd\r\n0\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::bad_chunk_end);
}

// RFC 9112 §7.1.2: trailers are parsed like fields, and bounded.
TEST(Chunked, TrailerRulesAndLimits) {
  Limits l;
  l.max_trailer_fields = 2;
  l.max_trailer_bytes = 40;
  EXPECT_TRUE(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", 0, l));
  EXPECT_FALSE(decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 0, l));
  EXPECT_FALSE(decode("0\r\nA: " + std::string(40, 'x') + "\r\n\r\n", 0, l));
  EXPECT_FALSE(decode("0\r\nA : 1\r\n\r\n"));
  EXPECT_FALSE(decode("0\r\nA: 1\r\n folded\r\n\r\n"));
  EXPECT_FALSE(decode("0\r\nA: 1\n\r\n"));
}

TEST(Chunked, ResetStartsAFreshBody) {
  ChunkedDecoder d;
  ASSERT_TRUE(d.decode("0\r\n"));
  auto done = d.decode("\r\n");
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->done);
  d.reset();
  EXPECT_FALSE(d.done());
  auto step = d.decode("2\r\nhi\r\n");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->data, "hi");
}

}  // namespace
}  // namespace endhost::http
