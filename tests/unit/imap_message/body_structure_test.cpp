// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) beyond the Dovecot fixtures: the RFC's own example, sizes with
// bare LFs, the limits' stand-ins and strings that need literals.
#include "imap/message/body_structure.hpp"

#include <gtest/gtest.h>

#include "imap_value.hpp"

namespace endhost::imap::message {
namespace {

std::string structure(std::string_view text, BodyForm form = BodyForm::BodyStructure,
                      StructureOptions options = {}) {
  const ParsedMessage m(text, options);
  std::string out;
  append_body_structure(out, m, form);
  EXPECT_TRUE(test::parse_value(out)) << "not one IMAP value: " << out;
  return out;
}

TEST(ImapBodyStructure, Rfc3501SinglePartExample) {
  std::string body;
  for (int i = 0; i < 92; ++i) body += std::string(i < 84 ? 31 : 30, 'x') + "\r\n";
  const std::string text =
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\nContent-Transfer-Encoding: 7BIT\r\n\r\n" + body;
  EXPECT_EQ(structure(text, BodyForm::Body),
            R"~(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))~");
}

TEST(ImapBodyStructure, DefaultsForAMessageWithoutMime) {
  EXPECT_EQ(structure("Subject: x\r\n\r\nhi\r\n"),
            R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 1 NIL NIL NIL NIL))~");
  EXPECT_EQ(structure(""), R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))~");
}

TEST(ImapBodyStructure, SizesCountBareLfsAsCrlf) {
  EXPECT_EQ(structure("A: b\n\none\ntwo\n", BodyForm::Body),
            R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 2))~");
  EXPECT_EQ(structure("A: b\r\n\r\none\r\ntwo\r\n", BodyForm::Body),
            R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 2))~");
}

TEST(ImapBodyStructure, NonTextHasNoLineCount) {
  EXPECT_EQ(structure("Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBO\r\n",
                      BodyForm::Body),
            R"~(("image" "png" NIL NIL NIL "base64" 6))~");
}

TEST(ImapBodyStructure, MessageWithoutItsMessageStillParses) {
  // Nesting past the limit: the message/rfc822 part is not opened, and shows an empty envelope and body.
  StructureOptions o;
  o.max_depth = 1;
  const std::string text =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: deep\r\n\r\nbody\r\n--x--\r\n";
  EXPECT_EQ(structure(text, BodyForm::Body, o),
            R"~((("message" "rfc822" NIL NIL NIL "7bit" 21 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) )~"
            R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) 2) "mixed"))~");
}

TEST(ImapBodyStructure, EightBitValuesGoAsLiterals) {
  const std::string s = structure("Content-Type: text/plain; name=\"caf\xC3\xA9.txt\"\r\n\r\nx");
  EXPECT_NE(s.find("\"name\" {9}\r\ncaf\xC3\xA9.txt"), std::string::npos) << s;
}

TEST(ImapBodyStructure, ContentLanguageListAndComments) {
  const std::string s = structure("Content-Language: en-GB (British), fr ,, de\r\n\r\nx");
  EXPECT_NE(s.find(R"~(NIL NIL ("en-GB" "fr" "de") NIL))~"), std::string::npos) << s;
}

TEST(ImapBodyStructure, EveryPartOfHostileInputStaysWellFormed) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    const std::string b = "b" + std::to_string(i);
    text += i % 3 == 0   ? "Content-Type: message/rfc822\r\n\r\nSubject: " + b + "\r\n"
            : i % 3 == 1 ? "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n"
                         : "Content-Type: multipart/digest; boundary=" + b + "\r\n\r\n--" + b + "\r\n\r\n";
  }
  (void)structure(text);
  (void)structure(text, BodyForm::Body);
}

}  // namespace
}  // namespace endhost::imap::message
