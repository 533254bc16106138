// SEARCH's message tests (RFC 3501 §6.4.4): header fields, BODY, TEXT and the sent date.
#include "imap/message/search_match.hpp"

#include <gtest/gtest.h>

#include "imap/message/charset.hpp"
#include "imap/message/message_date.hpp"

namespace endhost::imap::message {
namespace {

const std::string kMixed =
    "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>\r\n"
    "To: bob@hamburger.edu\r\n"
    "Subject: =?iso-8859-1?q?Sch=F6ne?=\r\n"
    " =?iso-8859-1?q?_Gr=FC=DFe?=\r\n"
    "X-Empty:\r\n"
    "Date: Wed, 2 Dec 2026 23:30:00 -0800\r\n"
    "Content-Type: multipart/mixed; boundary=m\r\n"
    "\r\n"
    "--m\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Das Fr=FChst=FCck ist um=\r\n"
    " acht.\r\n"
    "--m\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PHA+SGVsbG8gV29ybGQ8L3A+\r\n"
    "--m\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "c2VjcmV0IGF0dGFjaG1lbnQ=\r\n"
    "--m\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: forwarded note\r\n"
    "\r\n"
    "Windows text: 80=\x80 euro\r\n"
    "--m--\r\n";

TEST(ImapSearch, HeaderFieldsAreDecodedAndCaseInsensitive) {
  const ParsedMessage m(kMixed);
  MessageSearch s(m);
  EXPECT_TRUE(s.header_contains("FROM", Needle("jörg")));
  EXPECT_TRUE(s.header_contains("from", Needle("MÜLLER")) == false);  // non-ASCII letters: exact only
  EXPECT_TRUE(s.header_contains("from", Needle("JOERG@EXAMPLE")));
  EXPECT_TRUE(s.header_contains("Subject", Needle("schöne grüße")));  // folded, two words joined
  EXPECT_FALSE(s.header_contains("Subject", Needle("Schone")));
  EXPECT_TRUE(s.header_contains("TO", Needle("hamburger")));
  EXPECT_FALSE(s.header_contains("CC", Needle("")));      // no such field
  EXPECT_TRUE(s.header_contains("X-EMPTY", Needle("")));  // HEADER name "": the field is there
  EXPECT_FALSE(s.header_contains("X-EMPTY", Needle("x")));
  // The encapsulated message's header is not the message's.
  EXPECT_FALSE(s.header_contains("SUBJECT", Needle("forwarded")));
}

TEST(ImapSearch, BodiesAreDecoded) {
  const ParsedMessage m(kMixed);
  MessageSearch s(m);
  EXPECT_TRUE(s.body_contains(Needle("frühstück ist um acht")));  // QP, Latin-1, soft break
  EXPECT_TRUE(s.body_contains(Needle("hello world")));            // base64 text/html
  EXPECT_FALSE(s.body_contains(Needle("secret")));                // not a text part
  EXPECT_TRUE(s.body_contains(Needle("windows text")));           // inside the message/rfc822 part
  EXPECT_FALSE(s.body_contains(Needle("Schöne")));                // headers are not the body
  EXPECT_TRUE(s.body_contains(Needle("")));
}

TEST(ImapSearch, TextIsHeadersOrBody) {
  const ParsedMessage m(kMixed);
  MessageSearch s(m);
  EXPECT_TRUE(s.text_contains(Needle("Schöne")));
  EXPECT_TRUE(s.text_contains(Needle("subject: schöne")));
  EXPECT_TRUE(s.text_contains(Needle("forwarded note")));  // the encapsulated message's header
  EXPECT_TRUE(s.text_contains(Needle("acht.")));
  EXPECT_FALSE(s.text_contains(Needle("attachment")));
}

TEST(ImapSearch, SentDateIsTheDayAsWritten) {
  const ParsedMessage m(kMixed);
  const MessageSearch s(m);
  // 23:30 -0800 is already the 3rd in UTC; SENT* compare the day in its own zone.
  EXPECT_EQ(s.sent_date(), (Date{2026, 12, 2}));
  const ParsedMessage none("Subject: x\r\n\r\n");
  EXPECT_EQ(MessageSearch(none).sent_date(), std::nullopt);
  const ParsedMessage bad("Date: yesterday\r\n\r\n");
  EXPECT_EQ(MessageSearch(bad).sent_date(), std::nullopt);
}

TEST(ImapSearch, MessageDates) {
  EXPECT_EQ(parse_message_date("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"), (Date{1996, 7, 17}));
  EXPECT_EQ(parse_message_date("17 jul 1996 02:23 -0700"), (Date{1996, 7, 17}));
  EXPECT_EQ(parse_message_date("(comment) Fri, 1 Mar 24 10:00:00 +0000"), (Date{2024, 3, 1}));
  EXPECT_EQ(parse_message_date("Fri, 1 Mar 96 10:00:00 +0000"), (Date{1996, 3, 1}));
  EXPECT_EQ(parse_message_date("1 Mar 101 10:00:00 +0000"), (Date{2001, 3, 1}));
  EXPECT_EQ(parse_message_date("Sat 29 Feb 2020 00:00:00 GMT"), (Date{2020, 2, 29}));
  EXPECT_EQ(parse_message_date("29 Feb 2021 00:00:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_message_date("32 Jan 2021"), std::nullopt);
  EXPECT_EQ(parse_message_date("1 Foo 2021"), std::nullopt);
  EXPECT_EQ(parse_message_date("1 Jan"), std::nullopt);
  EXPECT_EQ(parse_message_date("123 Jan 2021"), std::nullopt);
  EXPECT_EQ(parse_message_date(""), std::nullopt);
  EXPECT_EQ(parse_message_date("2-Dec-2026"), (Date{2026, 12, 2}));
}

// The KMP search against the plain definition on many generated cases.
TEST(ImapSearch, NeedleAgreesWithANaiveSearch) {
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int round = 0; round < 2000; ++round) {
    std::string hay, needle;
    const std::size_t hn = next() % 40, nn = next() % 6;
    for (std::size_t i = 0; i < hn; ++i) hay += "aAbB"[next() % 4];
    for (std::size_t i = 0; i < nn; ++i) needle += "aAbB"[next() % 4];
    auto fold = [](std::string s) {
      for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      return s;
    };
    const bool naive = fold(hay).find(fold(needle)) != std::string::npos;
    EXPECT_EQ(Needle(needle).found_in(hay), naive) << hay << " / " << needle;
  }
}

TEST(ImapSearch, Charsets) {
  EXPECT_EQ(classify_charset("UTF-8"), Charset::Utf8);
  EXPECT_EQ(classify_charset("us-ascii"), Charset::Utf8);
  EXPECT_EQ(classify_charset(""), Charset::Utf8);
  EXPECT_EQ(classify_charset("ISO-8859-1"), Charset::Latin1);
  EXPECT_EQ(classify_charset("Windows-1252"), Charset::Windows1252);
  EXPECT_EQ(classify_charset("koi8-r"), Charset::Other);
  std::string out;
  append_as_utf8(out, "\xE9\x80", Charset::Latin1);
  EXPECT_EQ(out, "\xC3\xA9\xC2\x80");
  out.clear();
  append_as_utf8(out, "\x80\x81", Charset::Windows1252);
  EXPECT_EQ(out, "\xE2\x82\xAC\xC2\x81");  // the euro sign; 0x81 has no character
}

}  // namespace
}  // namespace endhost::imap::message
