// Base64 (RFC 4648 §10's test vectors) and its MIME form (RFC 2045 §6.8).
#include "mail/message/base64.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::message {
namespace {

TEST(MailBase64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zg=="), "f");
}

TEST(MailBase64, StrictDecodingRefusesJunk) {
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Zm9v YmFy"));
  EXPECT_FALSE(base64_decode("Zh=="));  // bits after the end
  EXPECT_FALSE(base64_decode("Z=g="));
  EXPECT_FALSE(base64_decode("Zm9v\r\n"));
}

TEST(MailBase64, MimeLinesAndLenientDecoding) {
  std::string data;
  for (int i = 0; i < 256; ++i) data += static_cast<char>(i);
  const std::string text = base64_encode(data, 76);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u);
    start = end + 2;
  }
  EXPECT_EQ(base64_decode_lenient(text), data);
  EXPECT_EQ(base64_decode_lenient("Zm9v\r\n YmFy\r\n"), "foobar");
  EXPECT_EQ(base64_encode("foo", 76), "Zm9v\r\n");
}

}  // namespace
}  // namespace endhost::mail::message
