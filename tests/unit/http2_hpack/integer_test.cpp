// Prefixed integers (RFC 7541 §5.1, examples C.1) and string literals (§5.2).
#include <gtest/gtest.h>

#include "hex.hpp"
#include "http2/hpack/integer.hpp"
#include "http2/hpack/string_literal.hpp"

namespace endhost::http2::hpack {
namespace {

using test::hex;
using test::unhex;

std::string encoded(std::uint8_t flags, int prefix, std::uint32_t value) {
  std::string out;
  encode_integer(out, flags, prefix, value);
  return hex(out);
}

TEST(Http2HpackInteger, AppendixC1) {
  EXPECT_EQ(encoded(0, 5, 10), "0a");        // C.1.1
  EXPECT_EQ(encoded(0, 5, 1337), "1f9a0a");  // C.1.2
  EXPECT_EQ(encoded(0, 8, 42), "2a");        // C.1.3
  std::size_t pos = 0;
  EXPECT_EQ(*decode_integer(unhex("ea"), pos, 5), 10u);  // high bits are not the integer's
  pos = 0;
  EXPECT_EQ(*decode_integer(unhex("ff9a0a"), pos, 5), 1337u);
  EXPECT_EQ(pos, 3u);
  pos = 0;
  EXPECT_EQ(*decode_integer(unhex("2a"), pos, 8), 42u);
}

TEST(Http2HpackInteger, RoundTripAtEveryPrefix) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    for (const std::uint32_t v : {0u, 1u, 30u, 31u, 32u, 127u, 128u, 254u, 255u, 256u, 16383u, 16384u,
                                  1u << 21, 1u << 28, UINT32_MAX - 1, UINT32_MAX}) {
      std::string out;
      encode_integer(out, 0, prefix, v);
      out.push_back('x');  // the decoder stops at the integer's end
      std::size_t pos = 0;
      auto got = decode_integer(out, pos, prefix);
      ASSERT_TRUE(got) << prefix << " " << v;
      EXPECT_EQ(*got, v);
      EXPECT_EQ(pos, out.size() - 1);
    }
  }
}

TEST(Http2HpackInteger, Overflow) {
  std::size_t pos = 0;
  // 2^32 - 1 fits; 2^32 does not (5-bit prefix: 31 + continuation).
  std::string max;
  encode_integer(max, 0, 5, UINT32_MAX);
  EXPECT_TRUE(decode_integer(max, pos, 5));
  pos = 0;
  EXPECT_EQ(decode_integer(unhex("1f e1 ff ff ff 0f"), pos, 5).error(), DecodeError::integer_overflow);
  // A sixth continuation byte is refused even when it adds nothing.
  pos = 0;
  EXPECT_EQ(decode_integer(unhex("1f 80 80 80 80 80 00"), pos, 5).error(), DecodeError::integer_overflow);
  pos = 0;
  EXPECT_EQ(decode_integer(unhex("ff ff ff ff ff ff ff ff ff ff 01"), pos, 8).error(),
            DecodeError::integer_overflow);
}

TEST(Http2HpackInteger, Truncated) {
  std::size_t pos = 0;
  EXPECT_EQ(decode_integer("", pos, 5).error(), DecodeError::truncated);
  pos = 0;
  EXPECT_EQ(decode_integer(unhex("1f"), pos, 5).error(), DecodeError::truncated);
  pos = 0;
  EXPECT_EQ(decode_integer(unhex("1f 9a"), pos, 5).error(), DecodeError::truncated);
}

TEST(Http2HpackString, RawAndHuffman) {
  std::string out;
  encode_string(out, "custom-key", false);
  EXPECT_EQ(hex(out), "0a637573746f6d2d6b6579");
  out.clear();
  encode_string(out, "custom-key", true);
  EXPECT_EQ(hex(out), "8825a849e95ba97d7f");
  out.clear();
  encode_string(out, "\x01\x02", true);  // Huffman would be longer: raw
  EXPECT_EQ(hex(out), "020102");

  std::string scratch;
  std::size_t pos = 0;
  const std::string raw = unhex("0a637573746f6d2d6b6579");
  auto s = decode_string(raw, pos, scratch);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, "custom-key");
  EXPECT_EQ(s->data(), raw.data() + 1);  // a view into the block, not a copy
  pos = 0;
  s = decode_string(unhex("8825a849e95ba97d7f"), pos, scratch);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, "custom-key");
  pos = 0;
  EXPECT_EQ(decode_string(unhex("0b637573746f6d2d6b6579"), pos, scratch).error(), DecodeError::truncated);
  pos = 0;
  EXPECT_EQ(decode_string(unhex("7f ff ff ff ff 0f"), pos, scratch).error(), DecodeError::integer_overflow);
  pos = 0;
  EXPECT_EQ(decode_string(unhex("81 ff"), pos, scratch).error(),
            DecodeError::bad_huffman);  // 8 bits of padding
}

}  // namespace
}  // namespace endhost::http2::hpack
