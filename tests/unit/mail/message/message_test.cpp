// The builder: header fields, MIME structure and encodings, checked by reading the result back.
#include "mail/message/message.hpp"

#include <gtest/gtest.h>

#include "mail/message/mime.hpp"

namespace endhost::mail::message {
namespace {

core::WallTime at(std::int64_t unix) {
  return core::WallTime(std::chrono::seconds(unix));
}

TEST(MailMessage, DateAndMessageId) {
  EXPECT_EQ(format_date(at(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_date(at(1796400000)), "Fri, 04 Dec 2026 16:00:00 +0000");
  EXPECT_EQ(make_message_id(at(1796400000), 0x1234, "crepes.fr"),
            "<20261204160000.0000000000001234@crepes.fr>");
  EXPECT_EQ(make_boundary(0xff), "=_endhost_00000000000000ff");
}

TEST(MailMessage, Addresses) {
  EXPECT_EQ(envelope_address("Alice Example <alice@crepes.fr>"), "alice@crepes.fr");
  EXPECT_EQ(envelope_address(" bob@hamburger.edu "), "bob@hamburger.edu");
  EXPECT_EQ(address_domain("bob@hamburger.edu"), "hamburger.edu");
  EXPECT_EQ(header_mailbox("Alice Example <alice@crepes.fr>"), "Alice Example <alice@crepes.fr>");
  EXPECT_EQ(header_mailbox("Example, Alice <alice@crepes.fr>"), "\"Example, Alice\" <alice@crepes.fr>");
  EXPECT_EQ(header_mailbox("\"Q\" <q@x>"), "Q <q@x>");
  EXPECT_EQ(header_mailbox("Zoë <z@x>"), "=?UTF-8?B?Wm/Dqw==?= <z@x>");
}

TEST(MailMessage, PlainTextMessage) {
  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.to = {"bob@hamburger.edu"};
  spec.subject = "Ketchup";
  spec.body = "Do you like ketchup?\nHow about pickles?\n";
  spec.date = at(1796400000);
  spec.message_id = "<1@crepes.fr>";
  const BuiltMessage m = build_message(spec);
  EXPECT_EQ(m.text,
            "Date: Fri, 04 Dec 2026 16:00:00 +0000\r\nFrom: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\n"
            "Subject: Ketchup\r\nMessage-ID: <1@crepes.fr>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            "Do you like ketchup?\r\nHow about pickles?\r\n");
  EXPECT_FALSE(m.smtputf8);
}

TEST(MailMessage, NonAsciiTextIsQuotedPrintableAndSubjectEncoded) {
  MessageSpec spec;
  spec.from = "Zoë <alice@crepes.fr>";
  spec.to = {"bob@hamburger.edu", "Carol <carol@hamburger.edu>"};
  spec.subject = "Crêpes";
  spec.body = "Voilà les crêpes.\n";
  const BuiltMessage m = build_message(spec);
  EXPECT_NE(m.text.find("Subject: =?UTF-8?B?Q3LDqnBlcw==?=\r\n"), std::string::npos);
  EXPECT_NE(m.text.find("To: bob@hamburger.edu,\r\n Carol <carol@hamburger.edu>\r\n"), std::string::npos);
  auto parsed = parse_message(m.text);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->decoded_header("Subject"), "Crêpes");
  EXPECT_EQ(parsed->decoded_header("From"), "Zoë <alice@crepes.fr>");
  EXPECT_EQ(parsed->transfer_encoding, "quoted-printable");
  EXPECT_EQ(parsed->content_type.param("charset"), "utf-8");
  EXPECT_EQ(parsed->decoded_body(), "Voilà les crêpes.\r\n");
  for (const char c : m.text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);  // 7-bit on the wire
}

TEST(MailMessage, AttachmentsInMultipartMixed) {
  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.to = {"bob@hamburger.edu"};
  spec.subject = "Files";
  spec.body = "See attached.\n";
  spec.boundary = make_boundary(42);
  std::string binary;
  for (int i = 0; i < 1000; ++i) binary += static_cast<char>(i * 7);
  spec.attachments.push_back(Attachment{"photo.png", "", binary});
  spec.attachments.push_back(Attachment{"notes.txt", "", "première ligne\n.dot line\n"});
  spec.attachments.push_back(Attachment{"résumé.pdf", "", "%PDF-1.4\0x"});
  const BuiltMessage m = build_message(spec);
  auto parsed = parse_message(m.text);
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_TRUE(parsed->is_multipart());
  EXPECT_EQ(parsed->content_type.subtype, "mixed");
  EXPECT_FALSE(parsed->truncated);
  ASSERT_EQ(parsed->parts.size(), 4u);
  EXPECT_EQ(parsed->parts[0].decoded_body(), "See attached.\r\n");
  EXPECT_EQ(parsed->parts[1].content_type.type, "image");
  EXPECT_EQ(parsed->parts[1].transfer_encoding, "base64");
  EXPECT_EQ(parsed->parts[1].filename(), "photo.png");
  EXPECT_EQ(parsed->parts[1].decoded_body(), binary);
  EXPECT_EQ(parsed->parts[2].transfer_encoding, "quoted-printable");
  EXPECT_EQ(parsed->parts[2].decoded_body(), "première ligne\r\n.dot line\r\n");
  EXPECT_EQ(parsed->parts[3].filename(), "résumé.pdf");
  EXPECT_EQ(parsed->parts[3].content_type.subtype, "pdf");
  for (const char c : m.text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
}

TEST(MailMessage, BoundaryNeverOccursInAPart) {
  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.boundary = "b";
  spec.body = "--b\n--b--\n--b_0\n";
  spec.attachments.push_back(Attachment{"a.bin", "", "x"});
  auto parsed = parse_message(build_message(spec).text);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->content_type.param("boundary"), "b_0_1");
  ASSERT_EQ(parsed->parts.size(), 2u);
  EXPECT_EQ(parsed->parts[0].decoded_body(), "--b\r\n--b--\r\n--b_0\r\n");
}

TEST(MailMessage, Utf8AddressNeedsSmtpUtf8) {
  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.to = {"zoë@hamburger.edu"};
  EXPECT_TRUE(build_message(spec).smtputf8);
}

TEST(MailMessage, GuessedTypes) {
  EXPECT_EQ(guess_content_type("a.PDF"), "application/pdf");
  EXPECT_EQ(guess_content_type("notes.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(guess_content_type("blob"), "application/octet-stream");
}

}  // namespace
}  // namespace endhost::mail::message
