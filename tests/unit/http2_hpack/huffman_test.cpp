// The Huffman code (RFC 7541 Appendix B, §5.2): the strings of examples C.4 and C.6, every byte value, and
// the three ways a coded string is invalid.
#include <gtest/gtest.h>

#include <random>

#include "hex.hpp"
#include "http2/hpack/huffman.hpp"

namespace endhost::http2::hpack {
namespace {

using test::hex;
using test::unhex;

struct Vector {
  std::string_view text;
  std::string_view coded;
};

constexpr Vector kAppendixC[] = {
    {"www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"},
    {"no-cache", "a8eb 1064 9cbf"},
    {"custom-key", "25a8 49e9 5ba9 7d7f"},
    {"custom-value", "25a8 49e9 5bb8 e8b4 bf"},
    {"302", "6402"},
    {"307", "640e ff"},
    {"private", "aec3 771a 4b"},
    {"Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"},
    {"Mon, 21 Oct 2013 20:13:22 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff"},
    {"https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"},
    {"gzip", "9bd9 ab"},
    {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
     "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 "
     "b106 "
     "3d50 07"},
};

std::string encode(std::string_view s) {
  std::string out;
  huffman_encode(s, out);
  return out;
}

Expected<std::string, DecodeError> decode(std::string_view coded) {
  std::string out;
  if (auto r = huffman_decode(coded, out); !r) return Unexpected(r.error());
  return out;
}

TEST(Http2HpackHuffman, AppendixCStrings) {
  for (const auto& v : kAppendixC) {
    const std::string coded = unhex(v.coded);
    EXPECT_EQ(hex(encode(v.text)), hex(coded)) << v.text;
    EXPECT_EQ(huffman_encoded_size(v.text), coded.size()) << v.text;
    auto got = decode(coded);
    ASSERT_TRUE(got) << v.text;
    EXPECT_EQ(*got, v.text);
  }
}

TEST(Http2HpackHuffman, EveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (int i = 0; i < 256; ++i) {  // each alone, so each code meets every padding length it can
    const std::string one(1, static_cast<char>(i));
    auto got = decode(encode(one));
    ASSERT_TRUE(got) << i;
    EXPECT_EQ(*got, one);
  }
  auto got = decode(encode(all));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, all);
  std::string reversed(all.rbegin(), all.rend());
  got = decode(encode(reversed));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, reversed);
}

TEST(Http2HpackHuffman, RandomRoundTrip) {
  std::mt19937 rng(7541);
  for (int n = 0; n < 2000; ++n) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 26);
    const std::string coded = encode(s);
    EXPECT_EQ(coded.size(), huffman_encoded_size(s));
    auto got = decode(coded);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, s);
  }
}

TEST(Http2HpackHuffman, EmptyString) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(*decode(""), "");
}

TEST(Http2HpackHuffman, EosIsAnError) {
  // EOS (30 ones) then padding: "ff ff ff fc" is EOS plus two zero bits, "ff ff ff ff" EOS plus two ones.
  EXPECT_EQ(decode(unhex("ffffffff")).error(), DecodeError::bad_huffman);
  EXPECT_EQ(decode(unhex("fffffffc")).error(), DecodeError::bad_huffman);
  // 'a' (00011) then EOS.
  EXPECT_EQ(decode(unhex("1fffffff ff")).error(), DecodeError::bad_huffman);
}

TEST(Http2HpackHuffman, PaddingLongerThanSevenBits) {
  EXPECT_EQ(decode(unhex("ff")).error(), DecodeError::bad_huffman);    // 8 bits of padding, no symbol
  EXPECT_EQ(decode(unhex("1fff")).error(), DecodeError::bad_huffman);  // 'a' then 11 one bits
  EXPECT_TRUE(decode(unhex("1f")));                                    // 'a' then 3 one bits
}

TEST(Http2HpackHuffman, PaddingNotAllOnes) {
  EXPECT_EQ(decode(unhex("18")).error(), DecodeError::bad_huffman);  // 'a' then 000
  EXPECT_EQ(decode(unhex("1e")).error(), DecodeError::bad_huffman);  // 'a' then 110
  // '0' (00000) then 101: a prefix of no complete code that is all ones.
  EXPECT_EQ(decode(unhex("05")).error(), DecodeError::bad_huffman);
  // 1111111 0: a code cut short ('!' is 11111110 00), not padding.
  EXPECT_EQ(decode(unhex("fe")).error(), DecodeError::bad_huffman);
}

}  // namespace
}  // namespace endhost::http2::hpack
