// Writing IMAP strings (RFC 3501 §4.3, §9): which form each string takes, and escaping.
#include "imap/message/wire_string.hpp"

#include <gtest/gtest.h>

namespace endhost::imap::message {
namespace {

std::string nstring(std::optional<std::string_view> s) {
  std::string out;
  append_nstring(out, s);
  return out;
}

std::string astring(std::string_view s) {
  std::string out;
  append_astring(out, s);
  return out;
}

TEST(ImapWireString, NilQuotedAndEscaped) {
  EXPECT_EQ(nstring(std::nullopt), "NIL");
  EXPECT_EQ(nstring(""), "\"\"");
  EXPECT_EQ(nstring("hello world"), "\"hello world\"");
  EXPECT_EQ(nstring(R"~(say "hi" \o/)~"), R"~("say \"hi\" \\o/")~");
  EXPECT_EQ(nstring("NIL"), "\"NIL\"");              // the string, not the atom
  EXPECT_EQ(nstring("tab\there"), "\"tab\there\"");  // TEXT-CHAR includes HTAB
}

TEST(ImapWireString, LiteralsForWhatCannotBeQuoted) {
  EXPECT_EQ(nstring("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(nstring("bare\nlf"), "{7}\r\nbare\nlf");
  EXPECT_EQ(nstring("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
  EXPECT_EQ(nstring(std::string_view("n\0l", 3)), std::string("{3}\r\nn\0l", 8));
  const std::string long_one(kMaxQuotedString + 1, 'x');
  EXPECT_EQ(nstring(long_one), "{" + std::to_string(long_one.size()) + "}\r\n" + long_one);
  const std::string just_fits(kMaxQuotedString, 'x');
  EXPECT_EQ(nstring(just_fits), "\"" + just_fits + "\"");
}

TEST(ImapWireString, Astrings) {
  EXPECT_EQ(astring("INBOX"), "INBOX");
  EXPECT_EQ(astring("Sent.2026"), "Sent.2026");
  EXPECT_EQ(astring("nil"), "\"nil\"");  // an atom NIL would read back as NIL
  EXPECT_EQ(astring(""), "\"\"");
  EXPECT_EQ(astring("My Folder"), "\"My Folder\"");
  for (const char* special : {"a(b", "a)b", "a{b", "a%b", "a*b", "a\"b", "a\\b", "a]b"})
    EXPECT_NE(astring(special), special) << special;
  EXPECT_EQ(astring("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
}

TEST(ImapWireString, QuotableAndAtomPredicates) {
  EXPECT_TRUE(quotable(""));
  EXPECT_TRUE(quotable("\x7F"));
  EXPECT_FALSE(quotable("\x80"));
  EXPECT_FALSE(quotable("\r"));
  EXPECT_FALSE(is_atom(""));
  EXPECT_TRUE(is_atom("$Forwarded"));
  EXPECT_FALSE(is_atom("a b"));
  EXPECT_FALSE(is_atom("\x01"));
}

}  // namespace
}  // namespace endhost::imap::message
