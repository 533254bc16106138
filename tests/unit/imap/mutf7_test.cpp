// Modified UTF-7 mailbox names (RFC 3501 §5.1.3).
#include <gtest/gtest.h>

#include "imap/mutf7.hpp"

namespace endhost::imap {
namespace {

TEST(ImapMutf7, RfcExample) {
  // "~peter/mail/台北/日本語" (RFC 3501 §5.1.3).
  const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  EXPECT_EQ(mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), utf8);
  EXPECT_EQ(mutf7_encode(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
}

TEST(ImapMutf7, Ampersand) {
  EXPECT_EQ(mutf7_decode("Tom &- Jerry"), "Tom & Jerry");
  EXPECT_EQ(mutf7_encode("Tom & Jerry"), "Tom &- Jerry");
}

TEST(ImapMutf7, RoundTrips) {
  for (const std::string name : {"INBOX", "", "Entw\xc3\xbcrfe", "Gel\xc3\xb6scht/\xc3\x84lter",
                                 "\xf0\x9f\x93\xa7 mail",  // U+1F4E7, a surrogate pair in UTF-16
                                 "&&&", "a\xc3\xa9&\xc3\xa9", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"}) {
    const auto encoded = mutf7_encode(name);
    ASSERT_TRUE(encoded) << name;
    for (char c : *encoded) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << *encoded;
    EXPECT_EQ(mutf7_decode(*encoded), name) << *encoded;
  }
  EXPECT_EQ(mutf7_encode("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
}

TEST(ImapMutf7, DecodeRefusals) {
  for (const char* bad : {
           "&",                   // unterminated
           "&U,BTFw",             // unterminated shift
           "&U/BTFw-",            // "/" is not modified base64
           "&AGE-",               // "a" encoded: printable ASCII must stand for itself
           "&ACY-",               // "&" encoded
           "&U,BTFw-&ZeVnLIqe-",  // two shifts back to back
           "&2D0-",               // a lone high surrogate
           "&3kE-",               // a lone low surrogate
           "&AAA-",               // U+0000
           "&U,BTFx-",            // leftover bits not zero
           "&U,BTFwA-",           // a needless extra character
           "caf\xc3\xa9",         // 8-bit octets
           "tab\there",           // a control character
       }) {
    EXPECT_FALSE(mutf7_decode(bad)) << bad;
  }
}

TEST(ImapMutf7, EncodeRefusals) {
  for (const char* bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "a\x01"}) {
    EXPECT_FALSE(mutf7_encode(bad)) << bad;
  }
}

}  // namespace
}  // namespace endhost::imap
