// BODY[section]<partial> (RFC 3501 §6.4.5): every kind of section, partials, parts that do not exist, and
// the conversion of bare LFs.
#include "imap/message/section.hpp"

#include <gtest/gtest.h>

namespace endhost::imap::message {
namespace {

const std::string kMessage =
    "From: a@example.org\r\n"
    "Subject: sections\r\n"
    "X-Folded: one\r\n"
    "  two\r\n"
    "Content-Type: multipart/mixed; boundary=s\r\n"
    "\r\n"
    "--s\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "first\r\n"
    "--s\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "From: b@example.org\r\n"
    "\r\n"
    "inner body\r\n"
    "--s--\r\n";

Section sec(std::vector<std::uint32_t> part, Section::Text text = Section::Text::None,
            std::vector<std::string> fields = {}) {
  Section s;
  s.part = std::move(part);
  s.text = text;
  s.fields = std::move(fields);
  return s;
}

std::string get(const ParsedMessage& m, const Section& s, std::optional<Partial> p = std::nullopt) {
  return std::string(fetch_section(m, s, p).bytes());
}

TEST(ImapSection, TheMessageItself) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({})), kMessage);
  EXPECT_EQ(get(m, sec({}, Section::Text::Header)),
            "From: a@example.org\r\nSubject: sections\r\nX-Folded: one\r\n  two\r\n"
            "Content-Type: multipart/mixed; boundary=s\r\n\r\n");
  EXPECT_EQ(get(m, sec({}, Section::Text::Text)), kMessage.substr(kMessage.find("--s")));
  EXPECT_EQ(get(m, sec({}, Section::Text::Mime)), "");  // MIME needs a part number
}

TEST(ImapSection, HeaderFieldsKeepFoldingAndOrder) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFields, {"X-FOLDED", "FROM"})),
            "From: a@example.org\r\nX-Folded: one\r\n  two\r\n\r\n");
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFieldsNot, {"CONTENT-TYPE", "x-folded"})),
            "From: a@example.org\r\nSubject: sections\r\n\r\n");
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFields, {"NOPE"})), "\r\n");
}

TEST(ImapSection, PartsAndTheirMimeHeaders) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({1})), "first");
  EXPECT_EQ(get(m, sec({1}, Section::Text::Mime)), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(get(m, sec({1, 1})), "first");  // a leaf's only part is itself
  EXPECT_EQ(get(m, sec({1, 1, 1})), "");
  EXPECT_EQ(get(m, sec({1}, Section::Text::Header)), "");  // HEADER only for message/rfc822 parts
  EXPECT_EQ(get(m, sec({1}, Section::Text::Text)), "");
}

TEST(ImapSection, EncapsulatedMessage) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({2})), "Subject: inner\r\nFrom: b@example.org\r\n\r\ninner body");
  EXPECT_EQ(get(m, sec({2}, Section::Text::Mime)), "Content-Type: message/rfc822\r\n\r\n");
  EXPECT_EQ(get(m, sec({2}, Section::Text::Header)), "Subject: inner\r\nFrom: b@example.org\r\n\r\n");
  EXPECT_EQ(get(m, sec({2}, Section::Text::Text)), "inner body");
  EXPECT_EQ(get(m, sec({2}, Section::Text::HeaderFields, {"FROM"})), "From: b@example.org\r\n\r\n");
  EXPECT_EQ(get(m, sec({2, 1})), "inner body");  // its message is not a multipart: 1 is its body
  EXPECT_EQ(get(m, sec({2, 1}, Section::Text::Mime)), "Subject: inner\r\nFrom: b@example.org\r\n\r\n");
  EXPECT_EQ(get(m, sec({2, 2})), "");
}

TEST(ImapSection, PartsThatDoNotExist) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({3})), "");
  EXPECT_EQ(get(m, sec({4000000000u})), "");
  EXPECT_EQ(get(m, sec({3}, Section::Text::Mime)), "");
  EXPECT_EQ(resolve_section_part(m, sec({3})), nullptr);
  const ParsedMessage single("Subject: s\r\n\r\nbody\r\n");
  EXPECT_EQ(get(single, sec({1})), "body\r\n");
  EXPECT_EQ(get(single, sec({1}, Section::Text::Mime)), "Subject: s\r\n\r\n");
  EXPECT_EQ(get(single, sec({2})), "");
  EXPECT_EQ(get(single, sec({1, 1})), "");
}

TEST(ImapSection, Partials) {
  const ParsedMessage m(kMessage);
  EXPECT_EQ(get(m, sec({}), Partial{0, 4}), "From");
  EXPECT_EQ(get(m, sec({}), Partial{6, 1000000}), kMessage.substr(6));
  EXPECT_EQ(get(m, sec({1}), Partial{2, 2}), "rs");
  EXPECT_EQ(get(m, sec({1}), Partial{5, 2}), "");  // at the end
  EXPECT_EQ(get(m, sec({1}), Partial{4000000000u, 2}), "");
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFields, {"FROM"}), Partial{19, 100}), "\r\n\r\n");
  EXPECT_EQ(get(m, sec({9}), Partial{0, 10}), "");
}

TEST(ImapSection, ViewsPointIntoTheMessage) {
  const ParsedMessage m(kMessage);
  const SectionBytes b = fetch_section(m, sec({2}, Section::Text::Text));
  EXPECT_FALSE(b.is_owned());
  EXPECT_EQ(b.bytes().data(), m.text().data() + kMessage.find("inner body"));
  EXPECT_TRUE(fetch_section(m, sec({}, Section::Text::HeaderFields, {"FROM"})).is_owned());
  SectionBytes moved = fetch_section(m, sec({}, Section::Text::HeaderFields, {"SUBJECT"}));
  const SectionBytes copy = moved;
  const SectionBytes target = std::move(moved);
  EXPECT_EQ(target.bytes(), "Subject: sections\r\n\r\n");
  EXPECT_EQ(copy.bytes(), "Subject: sections\r\n\r\n");
}

TEST(ImapSection, BareLfsAreSentAsCrlf) {
  std::string lf = kMessage;
  for (std::size_t i; (i = lf.find("\r\n")) != std::string::npos;) lf.erase(i, 1);
  const ParsedMessage m(lf);
  EXPECT_TRUE(m.has_bare_lf());
  EXPECT_EQ(m.wire_size(), kMessage.size());
  EXPECT_EQ(get(m, sec({})), kMessage);
  EXPECT_EQ(get(m, sec({2}, Section::Text::Header)), "Subject: inner\r\nFrom: b@example.org\r\n\r\n");
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFields, {"X-FOLDED"})), "X-Folded: one\r\n  two\r\n\r\n");
  // Partial origins count the converted bytes.
  EXPECT_EQ(get(m, sec({}), Partial{19, 4}), "\r\nSu");
  EXPECT_TRUE(fetch_section(m, sec({1})).is_owned());
}

TEST(ImapSection, HeaderWithoutALineEndGetsOneInHeaderFields) {
  const ParsedMessage m("From: a@b\r\nSubject: last");
  EXPECT_EQ(get(m, sec({}, Section::Text::HeaderFields, {"SUBJECT"})), "Subject: last\r\n\r\n");
  EXPECT_EQ(get(m, sec({}, Section::Text::Header)), "From: a@b\r\nSubject: last");
}

TEST(ImapSection, CrlfHelpers) {
  EXPECT_EQ(crlf_size("a\nb\r\nc\n"), 9u);
  EXPECT_EQ(crlf_size("\nx", '\r'), 2u);  // the LF of a CRLF that began before the range
  std::string out;
  append_crlf(out, "a\nb\r\n");
  EXPECT_EQ(out, "a\r\nb\r\n");
}

}  // namespace
}  // namespace endhost::imap::message
