// Quoted-printable (RFC 2045 §6.7) and RFC 2047 encoded words.
#include <gtest/gtest.h>

#include "mail/message/encoded_words.hpp"
#include "mail/message/quoted_printable.hpp"

namespace endhost::mail::message {
namespace {

TEST(MailQuotedPrintable, EncodesWhatItMust) {
  EXPECT_EQ(qp_encode("plain text\n"), "plain text\r\n");
  EXPECT_EQ(qp_encode("a=b"), "a=3Db\r\n");
  EXPECT_EQ(qp_encode("caf\xc3\xa9"), "caf=C3=A9\r\n");
  EXPECT_EQ(qp_encode("trailing space \nand tab\t\r\n"), "trailing space=20\r\nand tab=09\r\n");
  EXPECT_EQ(qp_encode(""), "");
}

TEST(MailQuotedPrintable, SoftBreaksKeepLinesAt76) {
  const std::string line(200, 'x');
  const std::string enc = qp_encode(line + "\n" + std::string(100, '\xe9'));
  std::size_t start = 0;
  while (start < enc.size()) {
    const auto end = enc.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u) << enc.substr(start, end - start);
    start = end + 2;
  }
  EXPECT_EQ(qp_decode(enc), line + "\r\n" + std::string(100, '\xe9') + "\r\n");
}

TEST(MailQuotedPrintable, DecodesLeniently) {
  EXPECT_EQ(qp_decode("a=3Db=3d\r\n"), "a=b=\r\n");
  EXPECT_EQ(qp_decode("soft=\r\nbreak"), "softbreak");
  EXPECT_EQ(qp_decode("bad=ZZ end"), "bad=ZZ end");
  EXPECT_EQ(qp_decode("spaces   \r\nx"), "spaces\r\nx");
}

TEST(MailEncodedWords, PlainTextStaysPlain) {
  EXPECT_TRUE(is_plain_header_text("Do you like ketchup?"));
  EXPECT_EQ(encode_header_text("Do you like ketchup?"), "Do you like ketchup?");
  EXPECT_FALSE(is_plain_header_text("=?looks encoded?="));
}

TEST(MailEncodedWords, Utf8RoundTripsInShortWords) {
  const std::string text =
      "Crêpes et ketchup — déjà vu, naïve café: ça marche très bien, merci beaucoup à vous";
  const std::string enc = encode_header_text(text, 9);
  EXPECT_TRUE(enc.starts_with("=?UTF-8?B?"));
  std::size_t start = 0;
  bool first = true;
  while (start <= enc.size()) {
    auto end = enc.find("\r\n", start);
    if (end == std::string::npos) end = enc.size();
    EXPECT_LE(end - start + (first ? 9 : 0), 78u);
    first = false;
    start = end + 2;
  }
  // Unfolded, as a reader sees it.
  std::string unfolded;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (enc.compare(i, 2, "\r\n") == 0) {
      ++i;
      continue;
    }
    unfolded += enc[i];
  }
  EXPECT_EQ(decode_header_text(unfolded), text);
}

TEST(MailEncodedWords, DecodesRfc2047Examples) {
  // RFC 2047 §8.
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xc3\xa9 Pirard");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?Q3LDqnBlcw==?="), "Cr\xc3\xaapes");
  EXPECT_EQ(decode_header_text("=?KOI8-R?B?abc?= plain"), "=?KOI8-R?B?abc?= plain");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?not base64!?="), "=?UTF-8?B?not base64!?=");
}

}  // namespace
}  // namespace endhost::mail::message
