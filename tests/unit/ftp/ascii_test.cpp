// TYPE A conversion (RFC 959 §3.1.1.1): LF → CRLF on the way out, CRLF → LF on the way in, the same result
// at every split of the input.
#include "ftp/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace endhost::ftp {
namespace {

std::string encode_whole(std::string_view in) {
  AsciiEncoder e;
  std::string out;
  e.encode(in, out);
  return out;
}

std::string decode_whole(std::string_view in) {
  AsciiDecoder d;
  std::string out;
  d.decode(in, out);
  d.finish(out);
  return out;
}

TEST(FtpAscii, EncodesLfAsCrlf) {
  EXPECT_EQ(encode_whole("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(encode_whole("\n\n"), "\r\n\r\n");
  EXPECT_EQ(encode_whole("no newline"), "no newline");
  EXPECT_EQ(encode_whole(""), "");
}

TEST(FtpAscii, EncoderKeepsExistingCrlfSingle) {
  EXPECT_EQ(encode_whole("dos\r\nline\n"), "dos\r\nline\r\n");
  EXPECT_EQ(encode_whole("lone\rcr"), "lone\rcr");
}

TEST(FtpAscii, DecodesCrlfAsLf) {
  EXPECT_EQ(decode_whole("a\r\nb\r\n"), "a\nb\n");
  EXPECT_EQ(decode_whole("\r\n\r\n"), "\n\n");
  EXPECT_EQ(decode_whole("unix\nstays\n"), "unix\nstays\n");
}

TEST(FtpAscii, DecoderKeepsLoneCr) {
  EXPECT_EQ(decode_whole("a\rb"), "a\rb");
  EXPECT_EQ(decode_whole("end\r"), "end\r");
  EXPECT_EQ(decode_whole("\r\r\n"), "\r\n");
}

const char* const kSamples[] = {
    "line one\nline two\n",
    "dos\r\nmixed\nlone\rcr\r\r\n\n",
    "\r",
    "\n",
    "\r\n",
    "\r\r\r\n\n\n",
    "ends with cr\r",
    "x\n\ry\r\n\rz",
};

TEST(FtpAscii, EncoderSameAtEveryTwoWaySplit) {
  for (const std::string_view s : kSamples) {
    const std::string whole = encode_whole(s);
    for (std::size_t cut = 0; cut <= s.size(); ++cut) {
      AsciiEncoder e;
      std::string out;
      e.encode(s.substr(0, cut), out);
      e.encode(s.substr(cut), out);
      EXPECT_EQ(out, whole) << "split at " << cut << " of " << testing::PrintToString(std::string(s));
    }
  }
}

TEST(FtpAscii, DecoderSameAtEveryTwoWaySplit) {
  for (const std::string_view s : kSamples) {
    const std::string whole = decode_whole(s);
    for (std::size_t cut = 0; cut <= s.size(); ++cut) {
      AsciiDecoder d;
      std::string out;
      d.decode(s.substr(0, cut), out);
      d.decode(s.substr(cut), out);
      d.finish(out);
      EXPECT_EQ(out, whole) << "split at " << cut << " of " << testing::PrintToString(std::string(s));
    }
  }
}

TEST(FtpAscii, ByteAtATimeEqualsWhole) {
  for (const std::string_view s : kSamples) {
    AsciiEncoder e;
    AsciiDecoder d;
    std::string enc, dec;
    for (char c : s) {
      e.encode(std::string_view(&c, 1), enc);
      d.decode(std::string_view(&c, 1), dec);
    }
    d.finish(dec);
    EXPECT_EQ(enc, encode_whole(s));
    EXPECT_EQ(dec, decode_whole(s));
  }
}

TEST(FtpAscii, RoundTripOfUnixText) {
  const std::string text = "first\nsecond\n\nfourth with \r inside\n";
  const std::string wire = encode_whole(text);
  EXPECT_EQ(wire.find("\n\n"), std::string::npos);
  EXPECT_EQ(decode_whole(wire), text);
}

}  // namespace
}  // namespace endhost::ftp
