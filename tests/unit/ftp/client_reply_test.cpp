// What the client reads out of replies: reply classes, SIZE's 213 (strict digits, no overflow) and PWD's
// 257 with its doubled quotes (RFC 959 Appendix II).
#include "ftp/client/reply.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp::client {
namespace {

text::CodedReply reply(int code, std::string text) {
  return text::CodedReply{code, {std::move(text)}};
}

TEST(FtpClientReply, ClassesAndSummary) {
  EXPECT_EQ(reply_class(150), ReplyClass::Preliminary);
  EXPECT_EQ(reply_class(226), ReplyClass::Completion);
  EXPECT_EQ(reply_class(350), ReplyClass::Intermediate);
  EXPECT_EQ(reply_class(425), ReplyClass::Transient);
  EXPECT_EQ(reply_class(550), ReplyClass::Permanent);
  EXPECT_EQ(reply_summary(text::CodedReply{550, {"No such file", "more"}}), "550 No such file");
  EXPECT_EQ(reply_summary(reply(200, "")), "200");
}

TEST(FtpClientReply, SizeIsDigitsOnly) {
  EXPECT_EQ(parse_size_reply(reply(213, "1048576")), 1048576u);
  EXPECT_EQ(parse_size_reply(reply(213, "0")), 0u);
  EXPECT_EQ(parse_size_reply(reply(213, "18446744073709551615")), UINT64_MAX);
  EXPECT_FALSE(parse_size_reply(reply(213, "18446744073709551616")));  // one past 2^64-1
  EXPECT_FALSE(parse_size_reply(reply(213, "99999999999999999999999")));
  EXPECT_FALSE(parse_size_reply(reply(213, "12 bytes")));
  EXPECT_FALSE(parse_size_reply(reply(213, "-1")));
  EXPECT_FALSE(parse_size_reply(reply(213, "")));
  EXPECT_FALSE(parse_size_reply(reply(550, "123")));
  EXPECT_FALSE(parse_size_reply(text::CodedReply{213, {"1", "2"}}));
}

TEST(FtpClientReply, PwdNameWithDoubledQuotes) {
  EXPECT_EQ(parse_pwd_reply(reply(257, "\"/pub\" is the current directory")), "/pub");
  EXPECT_EQ(parse_pwd_reply(reply(257, "\"/a \"\"b\"\" c\" created")), "/a \"b\" c");
  EXPECT_EQ(parse_pwd_reply(reply(257, "\"\"")), "");
  EXPECT_FALSE(parse_pwd_reply(reply(257, "/pub")));
  EXPECT_FALSE(parse_pwd_reply(reply(257, "\"/unclosed")));
  EXPECT_FALSE(parse_pwd_reply(reply(250, "\"/pub\"")));
  EXPECT_FALSE(parse_pwd_reply(reply(257, std::string("\"a\0b\"", 5))));
}

}  // namespace
}  // namespace endhost::ftp::client
