// EHLO keywords (RFC 5321 §4.1.1.1) as the client reads them.
#include "smtp/client/extensions.hpp"

#include <gtest/gtest.h>

namespace endhost::smtp::client {
namespace {

TEST(SmtpClientExtensions, PostfixStyleReply) {
  const Extensions e = parse_ehlo({"mx.hamburger.edu", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN",
                                   "STARTTLS", "AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN", "ENHANCEDSTATUSCODES",
                                   "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"});
  EXPECT_TRUE(e.pipelining);
  EXPECT_TRUE(e.size);
  EXPECT_EQ(e.max_size, 10240000u);
  EXPECT_TRUE(e.starttls);
  EXPECT_TRUE(e.enhanced_status_codes);
  EXPECT_TRUE(e.eight_bit_mime);
  EXPECT_TRUE(e.smtputf8);
  EXPECT_TRUE(e.chunking);
  EXPECT_EQ(e.auth, (std::vector<std::string>{"PLAIN", "LOGIN"}));
}

TEST(SmtpClientExtensions, FirstLineIsTheGreetingAndKeywordsIgnoreCase) {
  const Extensions e = parse_ehlo({"PIPELINING hello", "starttls", "size", "auth login"});
  EXPECT_FALSE(e.pipelining);  // the greeting line, not a keyword
  EXPECT_TRUE(e.starttls);
  EXPECT_TRUE(e.size);
  EXPECT_EQ(e.max_size, 0u);
  EXPECT_TRUE(e.offers_auth("LOGIN"));
  EXPECT_FALSE(e.offers_auth("PLAIN"));
}

TEST(SmtpClientExtensions, BadSizeIsNoLimit) {
  EXPECT_EQ(parse_ehlo({"x", "SIZE lots"}).max_size, 0u);
  EXPECT_EQ(parse_ehlo({"x", "SIZE 12x"}).max_size, 0u);
}

}  // namespace
}  // namespace endhost::smtp::client
