// The MIME parser on hand-written messages: folding, parameters, nesting, delimiters, limits.
#include "mail/message/mime.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::message {
namespace {

TEST(MailMime, HeaderUnfoldingAndLfOnly) {
  auto m = parse_message("Subject: a\n long\n\tsubject\nX-Empty:\n\nbody\n");
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m->header("subject"), "a long\tsubject");
  EXPECT_EQ(m->header("X-Empty"), "");
  EXPECT_EQ(m->body, "body\n");
  EXPECT_EQ(m->content_type.type, "text");  // RFC 2045 §5.2 default
}

TEST(MailMime, ContentTypeParameters) {
  auto ct = parse_content_type("Multipart/Mixed (comment); Boundary=\"a b;c\"; charset=utf-8");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->type, "multipart");
  EXPECT_EQ(ct->subtype, "mixed");
  EXPECT_EQ(ct->param("boundary"), "a b;c");
  EXPECT_EQ(ct->param("charset"), "utf-8");
  EXPECT_FALSE(parse_content_type("text"));
}

// RFC 2046 §5.1.1's example, with preamble and epilogue.
TEST(MailMime, Rfc2046Example) {
  const std::string text =
      "From: Nathaniel Borenstein <nsb@bellcore.com>\r\n"
      "Subject: Sample message\r\nMIME-Version: 1.0\r\n"
      "Content-type: multipart/mixed; boundary=\"simple boundary\"\r\n\r\n"
      "This is the preamble.  It is to be ignored, though it\r\nis a handy place for composition agents to "
      "include an\r\n"
      "explanatory note to non-MIME conformant readers.\r\n\r\n"
      "--simple boundary\r\n\r\n"
      "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.\r\n"
      "--simple boundary\r\nContent-type: text/plain; charset=us-ascii\r\n\r\n"
      "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n\r\n"
      "--simple boundary--\r\n\r\nThis is the epilogue.  It is also to be ignored.\r\n";
  auto m = parse_message(text);
  ASSERT_TRUE(m) << m.error();
  ASSERT_EQ(m->parts.size(), 2u);
  EXPECT_EQ(m->parts[0].body,
            "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.");
  EXPECT_EQ(m->parts[1].body,
            "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n");
  EXPECT_FALSE(m->truncated);
}

TEST(MailMime, NestedAndUnclosed) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
      "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
      "--inner\r\nContent-Type: text/plain\r\n\r\nplain\r\n--inner\r\nContent-Type: "
      "text/html\r\n\r\n<p>html</p>\r\n"
      "--inner--\r\n--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: "
      "base64\r\n\r\n"
      "Zm9v\r\nYmFy\r\n";
  auto m = parse_message(text);
  ASSERT_TRUE(m) << m.error();
  EXPECT_TRUE(m->truncated);
  ASSERT_EQ(m->parts.size(), 2u);
  ASSERT_EQ(m->parts[0].parts.size(), 2u);
  EXPECT_EQ(m->parts[0].parts[1].body, "<p>html</p>");
  EXPECT_EQ(m->parts[1].decoded_body(), "foobar");
}

TEST(MailMime, BoundaryPrefixIsNotADelimiter) {
  auto m =
      parse_message("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bb\r\nx\r\n--b--\r\n");
  ASSERT_TRUE(m) << m.error();
  ASSERT_EQ(m->parts.size(), 1u);
  EXPECT_EQ(m->parts[0].body, "--bb\r\nx");
}

TEST(MailMime, ErrorsAndLimits) {
  EXPECT_FALSE(parse_message(" continuation first\r\n\r\n"));
  EXPECT_FALSE(parse_message("A: b\r\nno colon here\r\n\r\n"));
  EXPECT_FALSE(parse_message("Content-Type: multipart/mixed\r\n\r\nbody"));
  std::string deep;
  for (int i = 0; i < 20; ++i)
    deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  EXPECT_FALSE(parse_message(deep));
  std::string many = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 300; ++i) many += "--b\r\n\r\nx\r\n";
  EXPECT_FALSE(parse_message(many));
}

TEST(MailMime, HeaderlessBodyIsBody) {
  auto m = parse_message("just text, no header\r\n");
  ASSERT_TRUE(m) << m.error();
  EXPECT_TRUE(m->headers.empty());
  EXPECT_EQ(m->body, "just text, no header\r\n");
}

}  // namespace
}  // namespace endhost::mail::message
