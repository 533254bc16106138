// The client connection preface (RFC 9113 §3.4): detection on a shared port, and consumption in pieces.
#include <gtest/gtest.h>

#include <string>

#include "http2/frame/preface.hpp"

namespace endhost::http2 {
namespace {

TEST(Preface, IsTheRfcString) {
  EXPECT_EQ(kClientPreface,
            std::string_view("\x50\x52\x49\x20\x2a\x20\x48\x54\x54\x50\x2f\x32\x2e\x30\x0d\x0a"
                             "\x0d\x0a\x53\x4d\x0d\x0a\x0d\x0a"));
}

TEST(Preface, TellsHttp1FromH2c) {
  EXPECT_EQ(match_preface(""), PrefaceMatch::partial);
  EXPECT_EQ(match_preface("P"), PrefaceMatch::partial);
  EXPECT_EQ(match_preface("PRI * HTTP/2.0\r\n"), PrefaceMatch::partial);
  EXPECT_EQ(match_preface(kClientPreface), PrefaceMatch::complete);
  EXPECT_EQ(match_preface(std::string(kClientPreface) + std::string("\0\0\0\x04", 4)),
            PrefaceMatch::complete);
  EXPECT_EQ(match_preface("POST / HTTP/1.1\r\n"), PrefaceMatch::mismatch);
  EXPECT_EQ(match_preface("GET"), PrefaceMatch::mismatch);
  EXPECT_EQ(match_preface("PRI * HTTP/1.1\r\n"), PrefaceMatch::mismatch);
  EXPECT_TRUE(could_be_preface("PRI "));
  EXPECT_FALSE(could_be_preface("PUT "));
  // Every proper prefix may still be the preface.
  for (std::size_t n = 0; n < kClientPreface.size(); ++n)
    EXPECT_TRUE(could_be_preface(kClientPreface.substr(0, n)));
}

TEST(Preface, ConsumedInAnyPieces) {
  const std::string wire = std::string(kClientPreface) + "rest";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    PrefaceReader reader;
    std::string leftover;
    bool done = false;
    for (std::size_t at = 0; at < wire.size(); at += piece) {
      std::string_view in = std::string_view(wire).substr(at, piece);
      if (!done) {
        auto r = reader.consume(in);
        ASSERT_TRUE(r);
        done = *r;
        if (!done) {
          EXPECT_TRUE(in.empty());
        }
      }
      leftover.append(in);
    }
    EXPECT_TRUE(done);
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(leftover, "rest") << piece;
  }
}

TEST(Preface, MismatchIsAProtocolError) {
  PrefaceReader reader;
  std::string_view in = "PRI * HTTP/2.0\r\n\r\nSM";
  ASSERT_TRUE(reader.consume(in));
  std::string_view bad = "\r\n\r\r";
  auto r = reader.consume(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::protocol_error);
  EXPECT_TRUE(r.error().connection);
  std::string_view good = "\r\n\r\n";
  EXPECT_FALSE(reader.consume(good));  // final
}

}  // namespace
}  // namespace endhost::http2
