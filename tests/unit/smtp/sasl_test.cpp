// Base64 as RFC 4954 uses it and the PLAIN message (RFC 4616).
#include <gtest/gtest.h>

#include "smtp/sasl.hpp"

namespace endhost::smtp {
namespace {

TEST(SmtpSasl, Base64RoundTrip) {
  for (const std::string_view s : {"", "a", "ab", "abc", "abcd", "\0alice\0secret"}) {
    const std::string text(s);
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
  }
  EXPECT_EQ(base64_encode(std::string("\0alice\0secret", 13)), "AGFsaWNlAHNlY3JldA==");
}

TEST(SmtpSasl, Base64Strict) {
  EXPECT_FALSE(base64_decode("abc"));       // not a multiple of 4
  EXPECT_FALSE(base64_decode("ab=c"));      // '=' inside
  EXPECT_FALSE(base64_decode("a==="));      // three pads
  EXPECT_FALSE(base64_decode("YQ==YQ=="));  // padding before the end
  EXPECT_FALSE(base64_decode("YR=="));      // bits after the end (RFC 4648 §3.5)
  EXPECT_FALSE(base64_decode("Y Q=="));
  EXPECT_EQ(base64_decode("YQ=="), "a");
}

TEST(SmtpSasl, Plain) {
  auto c = parse_plain(std::string("\0alice\0secret", 13));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->authcid, "alice");
  EXPECT_EQ(c->password, "secret");
  EXPECT_FALSE(parse_plain(std::string("alice\0secret", 12)));
  EXPECT_FALSE(parse_plain(std::string("\0\0secret", 8)));
  EXPECT_FALSE(parse_plain(std::string("\0alice\0", 7)));
  EXPECT_FALSE(parse_plain(std::string("\0alice\0se\0cret", 14)));
}

}  // namespace
}  // namespace endhost::smtp
