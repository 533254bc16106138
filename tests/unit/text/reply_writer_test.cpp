#include "text/reply_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace endhost::text {
namespace {

std::string take(ReplyWriter& w) {
  std::string out(w.pending());
  w.consumed(out.size());
  return out;
}

TEST(ReplyWriter, NumberedRepliesContinueWithDashAndEndWithSpace) {
  ReplyWriter w;
  ASSERT_TRUE(w.coded(250, {"mail.example Hello", "PIPELINING", "SIZE 10240000"}));
  EXPECT_EQ(take(w), "250-mail.example Hello\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n");
  ASSERT_TRUE(w.coded(221, "Bye"));
  ASSERT_TRUE(w.coded(354, {}));
  EXPECT_EQ(take(w), "221 Bye\r\n354\r\n");
  EXPECT_TRUE(w.empty());
}

TEST(ReplyWriter, RefusesWhatWouldBreakTheFraming) {
  ReplyWriter w;
  EXPECT_EQ(w.coded(250, "ok\r\n250 injected").error(), WriteError::LineBreakInText);
  EXPECT_EQ(w.coded(250, {"fine", "bad\n"}).error(), WriteError::LineBreakInText);
  EXPECT_EQ(w.coded(99, "x").error(), WriteError::BadCode);
  EXPECT_EQ(w.coded(600, "x").error(), WriteError::BadCode);
  EXPECT_EQ(w.coded(260, "x").error(), WriteError::BadCode);   // second digit 0–5
  EXPECT_EQ(w.coded(150, "x").error(), WriteError::BadCode);   // SMTP has no 1yz
  EXPECT_TRUE(w.coded(150, "Opening data connection", true));  // FTP does (RFC 959 §4.2)
  EXPECT_EQ(w.coded(250, std::string(507, 'x')).error(), WriteError::LineTooLong);  // 512 with code and CRLF
  EXPECT_TRUE(w.coded(250, std::string(506, 'x')));
  EXPECT_EQ(w.pop3_status(true, "a\rb").error(), WriteError::LineBreakInText);
  EXPECT_EQ(w.imap_tagged("a b", ImapStatus::Ok, "x").error(), WriteError::BadTag);
  EXPECT_EQ(w.imap_tagged("a+", ImapStatus::Ok, "x").error(), WriteError::BadTag);
  EXPECT_EQ(w.imap_tagged("", ImapStatus::Ok, "x").error(), WriteError::BadTag);
  EXPECT_EQ(w.imap_untagged("x\ny").error(), WriteError::LineBreakInText);
  // Nothing of a refused reply was written.
  EXPECT_EQ(take(w), "150 Opening data connection\r\n250 " + std::string(506, 'x') + "\r\n");
}

TEST(ReplyWriter, TheBufferHasAHardMaximum) {
  ReplyWriter w(WriterLimits{32, 512});
  ASSERT_TRUE(w.coded(250, "0123456789"));  // 16 bytes
  ASSERT_TRUE(w.coded(250, "0123456789"));  // 32
  EXPECT_EQ(w.coded(250, "x").error(), WriteError::Full);
  w.consumed(16);
  EXPECT_TRUE(w.coded(250, "0123456789"));
  EXPECT_EQ(take(w), "250 0123456789\r\n250 0123456789\r\n");
}

TEST(ReplyWriter, Pop3StatusAndDotStuffedBody) {
  ReplyWriter w;
  ASSERT_TRUE(w.pop3_status(true, "2 messages"));
  ASSERT_TRUE(w.pop3_status(false, ""));
  EXPECT_EQ(take(w), "+OK 2 messages\r\n-ERR\r\n");
  ASSERT_TRUE(w.pop3_status(true, "120 octets"));
  ASSERT_TRUE(w.body("Subject: x\n\n.hidden\r\n"));
  ASSERT_TRUE(w.body("..two\r"));  // the CR's LF comes in the next piece
  ASSERT_TRUE(w.body("\n.\r\nlast"));
  ASSERT_TRUE(w.body_end());
  EXPECT_EQ(take(w), "+OK 120 octets\r\nSubject: x\r\n\r\n..hidden\r\n...two\r\n..\r\nlast\r\n.\r\n");
  ASSERT_TRUE(w.body_end());  // an empty body
  EXPECT_EQ(take(w), ".\r\n");
}

TEST(ReplyWriter, ImapResponses) {
  ReplyWriter w;
  ASSERT_TRUE(w.imap_untagged("OK IMAP4rev2 ready"));
  ASSERT_TRUE(w.imap_continuation("ready for literal"));
  ASSERT_TRUE(w.imap_tagged("a001", ImapStatus::No, "[AUTHENTICATIONFAILED] no"));
  ASSERT_TRUE(w.imap_tagged("a002", ImapStatus::Bad, "what?"));
  ASSERT_TRUE(w.imap_part("* 1 FETCH (BODY[] "));
  ASSERT_TRUE(w.imap_literal("hello\r\n"));
  ASSERT_TRUE(w.imap_part(")"));
  ASSERT_TRUE(w.line_end());
  ASSERT_TRUE(w.imap_tagged("a003", ImapStatus::Ok, "FETCH completed"));
  EXPECT_EQ(
      take(w),
      "* OK IMAP4rev2 ready\r\n+ ready for literal\r\na001 NO [AUTHENTICATIONFAILED] no\r\na002 BAD what?\r\n"
      "* 1 FETCH (BODY[] {7}\r\nhello\r\n)\r\na003 OK FETCH completed\r\n");
}

TEST(DotStuffer, OutputStaysWithinItsBound) {
  for (const std::string input : {"", ".", "\r", "\n", "....", "\r\r\r", "\n.\n.", "a\r.b\n.c"}) {
    DotStuffer s;
    std::string out = "\r\n";  // pretend a CR was held: the worst case starts with a CRLF
    const std::size_t before = out.size();
    s.append(out, input);
    EXPECT_LE(out.size() - before, DotStuffer::max_output(input.size())) << input;
  }
}

}  // namespace
}  // namespace endhost::text
