// mail::message::parse_structure as IMAP uses it: where each part is (offsets into the text), line counts,
// the two readings of boundaries and of a header-less first line, and hostile input within the limits.
#include <gtest/gtest.h>

#include "mail/message/mime.hpp"

namespace endhost::mail::message {
namespace {

std::string_view in(std::string_view text, TextRange r) {
  return r.in(text);
}

TEST(ImapMessageStructure, RangesOfASimpleMessage) {
  const std::string text = "Subject: a\r\n folded\r\nFrom:  x@y\r\n\r\nline 1\r\nline 2";
  const PartStructure p = parse_structure(text);
  EXPECT_EQ(in(text, p.header), "Subject: a\r\n folded\r\nFrom:  x@y\r\n\r\n");
  EXPECT_EQ(in(text, p.body), "line 1\r\nline 2");
  EXPECT_EQ(p.body_lines, 1u);
  EXPECT_EQ(p.body_bare_lf, 0u);
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_EQ(p.fields[0].name(text), "Subject");
  EXPECT_EQ(in(text, p.fields[0].whole), "Subject: a\r\n folded\r\n");
  EXPECT_EQ(in(text, p.fields[0].value), "a\r\n folded");
  EXPECT_EQ(unfold(in(text, p.fields[0].value)), "a folded");
  EXPECT_EQ(in(text, p.fields[1].value), "x@y");
  EXPECT_EQ(p.kind, PartKind::Leaf);
  EXPECT_FALSE(p.content_type_given);
  EXPECT_EQ(p.content_type.type, "text");
  EXPECT_EQ(p.defects, 0);
}

TEST(ImapMessageStructure, BareLfsAreCounted) {
  const std::string text = "A: b\n\none\ntwo\r\nthree\n";
  const PartStructure p = parse_structure(text);
  EXPECT_EQ(in(text, p.body), "one\ntwo\r\nthree\n");
  EXPECT_EQ(p.body_lines, 3u);
  EXPECT_EQ(p.body_bare_lf, 2u);
}

TEST(ImapMessageStructure, MultipartBodiesEndBeforeTheDelimitersLineEnd) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\npreamble\r\n--x\r\nContent-Type: text/plain\r\n\r\n"
      "one\r\n\r\n--x\r\n\r\ntwo\r\n--x--\r\nepilogue\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.kind, PartKind::Multipart);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_FALSE(p.truncated);
  EXPECT_EQ(in(text, p.parts[0].header), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(in(text, p.parts[0].body), "one\r\n");
  EXPECT_EQ(p.parts[0].body_lines, 1u);
  EXPECT_EQ(in(text, p.parts[1].header), "\r\n");
  EXPECT_EQ(in(text, p.parts[1].body), "two");
  EXPECT_EQ(p.parts[1].body_lines, 0u);
  EXPECT_EQ(in(text, p.body),
            "preamble\r\n--x\r\nContent-Type: "
            "text/plain\r\n\r\none\r\n\r\n--x\r\n\r\ntwo\r\n--x--\r\nepilogue\r\n");
}

TEST(ImapMessageStructure, EncapsulatedMessageIsParsed) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: inner\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\na\r\n--y--\r\n"
      "\r\n--x--\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.parts.size(), 1u);
  const PartStructure& m = p.parts[0];
  ASSERT_EQ(m.kind, PartKind::Message);
  ASSERT_EQ(m.parts.size(), 1u);
  const PartStructure& inner = m.parts[0];
  EXPECT_EQ(inner.body.end(), m.body.end());
  EXPECT_EQ(inner.header.offset, m.body.offset);
  EXPECT_EQ(inner.fields[0].name(text), "Subject");
  ASSERT_EQ(inner.kind, PartKind::Multipart);
  ASSERT_EQ(inner.parts.size(), 1u);
  EXPECT_EQ(in(text, inner.parts[0].body), "a");
  EXPECT_EQ(m.body_lines, 7u);
  // parse_message keeps the old shape: the message/rfc822 part is a leaf there.
  auto old = parse_message(text);
  ASSERT_TRUE(old) << old.error();
  EXPECT_TRUE(old->parts[0].parts.empty());
}

TEST(ImapMessageStructure, OuterDelimiterEndsAnUnclosedInnerMultipart) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; "
      "boundary=inner\r\n\r\n--inner\r\n\r\nA\r\n--outer\r\n\r\nB\r\n--outer--\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_TRUE(p.parts[0].truncated);
  ASSERT_EQ(p.parts[0].parts.size(), 1u);
  EXPECT_EQ(in(text, p.parts[0].parts[0].body), "A");
  EXPECT_EQ(in(text, p.parts[1].body), "B");
  EXPECT_FALSE(p.truncated);
}

TEST(ImapMessageStructure, MissingCloseAndFinalLineEnd) {
  const std::string text = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nlast line";
  const PartStructure p = parse_structure(text);
  EXPECT_TRUE(p.truncated);
  ASSERT_EQ(p.parts.size(), 1u);
  EXPECT_EQ(in(text, p.parts[0].body), "last line");
  EXPECT_EQ(p.parts[0].body.end(), text.size());
}

// RFC 2046 §5.1.1's note: the boundary need only start the line. An inner boundary "bb" is tried first.
TEST(ImapMessageStructure, BoundaryPrefixesInnermostFirst) {
  const std::string text =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/mixed; "
      "boundary=bb\r\n\r\n"
      "--bb\r\n\r\ninner\r\n--bb--\r\n--b trailing words\r\n\r\nsecond\r\n--b--\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.parts.size(), 2u);
  ASSERT_EQ(p.parts[0].parts.size(), 1u);
  EXPECT_EQ(in(text, p.parts[0].parts[0].body), "inner");
  EXPECT_EQ(in(text, p.parts[1].body), "second");
  // Strict matching (parse_message's): "--b trailing words" is not a delimiter.
  StructureOptions strict;
  strict.boundary_prefix_match = false;
  const PartStructure s = parse_structure(text, strict);
  ASSERT_EQ(s.parts.size(), 1u);
  EXPECT_NE(in(text, s.parts[0].body).find("second"), std::string_view::npos);
  EXPECT_FALSE(s.truncated);
}

TEST(ImapMessageStructure, HeaderLineWithoutColon) {
  const std::string text = "just text\r\nmore\r\n\r\nbody";
  const PartStructure dovecot = parse_structure(text);
  EXPECT_EQ(in(text, dovecot.header), "just text\r\nmore\r\n\r\n");
  EXPECT_EQ(in(text, dovecot.body), "body");
  EXPECT_TRUE(dovecot.fields.empty());
  EXPECT_EQ(dovecot.defects, kLineWithoutColon);
  StructureOptions headerless;
  headerless.headerless_first_line = true;
  const PartStructure p = parse_structure(text, headerless);
  EXPECT_EQ(p.header.size, 0u);
  EXPECT_EQ(in(text, p.body), text);
}

TEST(ImapMessageStructure, HeaderCutByADelimiterHasNoBody) {
  const std::string text = "Content-Type: multipart/mixed; boundary=h\r\n\r\n--h\r\nX: y\r\n--h--\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.parts.size(), 1u);
  EXPECT_EQ(in(text, p.parts[0].header), "X: y");
  EXPECT_EQ(p.parts[0].body.size, 0u);
}

TEST(ImapMessageStructure, DigestPartsDefaultToMessages) {
  const std::string text =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nx\r\n--d\r\n"
      "Content-Type: text/plain\r\n\r\ny\r\n--d--\r\n";
  const PartStructure p = parse_structure(text);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[0].kind, PartKind::Message);
  EXPECT_FALSE(p.parts[0].content_type_given);
  ASSERT_EQ(p.parts[0].parts.size(), 1u);
  EXPECT_EQ(p.parts[0].parts[0].fields[0].name(text), "Subject");
  EXPECT_EQ(p.parts[1].kind, PartKind::Leaf);
}

TEST(ImapMessageStructure, BadBoundaryIsAMultipartWithoutParts) {
  const std::string text = "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\ny\r\n--x--\r\n";
  const PartStructure p = parse_structure(text);
  EXPECT_EQ(p.kind, PartKind::Multipart);
  EXPECT_TRUE(p.parts.empty());
  EXPECT_EQ(p.defects, kBadBoundary);
  EXPECT_EQ(p.body.end(), text.size());
}

TEST(ImapMessageStructure, EmptyAndHeaderOnlyTexts) {
  const PartStructure empty = parse_structure("");
  EXPECT_EQ(empty.header.size, 0u);
  EXPECT_EQ(empty.body.size, 0u);
  const std::string text = "Subject: x";
  const PartStructure h = parse_structure(text);
  EXPECT_EQ(in(text, h.header), text);
  EXPECT_EQ(h.body.offset, text.size());
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(in(text, h.fields[0].value), "x");
}

std::size_t depth_of(const PartStructure& p) {
  std::size_t d = 0;
  for (const auto& c : p.parts) d = std::max(d, 1 + depth_of(c));
  return d;
}

std::size_t count_parts(const PartStructure& p) {
  std::size_t n = 1;
  for (const auto& c : p.parts) n += count_parts(c);
  return n;
}

bool has_defect(const PartStructure& p, std::uint8_t d) {
  if (p.defects & d) return true;
  for (const auto& c : p.parts)
    if (has_defect(c, d)) return true;
  return false;
}

TEST(ImapMessageStructure, DeepNestingStopsAtTheLimit) {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    const std::string b = "b" + std::to_string(i);
    text += i % 2 ? "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n"
                  : "Content-Type: message/rfc822\r\n\r\n";
  }
  const StructureOptions o;
  const PartStructure p = parse_structure(text, o);
  EXPECT_LE(depth_of(p), o.max_depth);
  EXPECT_TRUE(has_defect(p, kTooDeep));
}

TEST(ImapMessageStructure, HugePartCountsStopAtTheLimit) {
  std::string text = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 100000; ++i) text += "--b\r\n";
  const StructureOptions o;
  const PartStructure p = parse_structure(text, o);
  EXPECT_EQ(count_parts(p), o.max_parts);
  EXPECT_TRUE(p.defects & kTooManyParts);
  EXPECT_EQ(p.body.end(), text.size());
}

TEST(ImapMessageStructure, FieldsStopAtTheLimit) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "X-" + std::to_string(i) + ": v\r\n";
  text += "\r\nbody";
  const PartStructure p = parse_structure(text);
  EXPECT_EQ(p.fields.size(), StructureOptions{}.max_header_fields);
  EXPECT_TRUE(p.defects & kTooManyFields);
  EXPECT_EQ(in(text, p.body), "body");
}

// Many open multiparts and many lines that look like delimiters: every line is compared with at most
// max_depth boundaries, so this stays linear (a recursive split would read the text once per level).
TEST(ImapMessageStructure, ManyNearDelimitersUnderManyLevels) {
  std::string text;
  for (int i = 0; i < 16; ++i)
    text += "Content-Type: multipart/mixed; boundary=" + std::string(60, 'a') + std::to_string(i) +
            "\r\n\r\n--" + std::string(60, 'a') + std::to_string(i) + "\r\n";
  for (int i = 0; i < 20000; ++i) text += "--" + std::string(60, 'a') + "x\r\n";
  const PartStructure p = parse_structure(text);
  EXPECT_LE(depth_of(p), 16u);
}

TEST(ImapMessageStructure, ContinuationsAndParameters) {
  auto v = parse_parameterized_value(
      "Application/X-Thing; Name*0*=utf-8''a%20b; name*1=\"c d\"; Z=1; title*=us-ascii'en'x; "
      "broken==?utf-8?q?x?=",
      true);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, "Application");
  EXPECT_EQ(v->subtype, "X-Thing");
  const std::vector<MimeParameter> want = {
      {"Z", "1"}, {"title*", "us-ascii'en'x"}, {"broken", "=?utf-8?q?x?="}, {"Name*", "utf-8''a%20bc d"}};
  EXPECT_EQ(v->params, want);
  auto gap = parse_parameterized_value("inline; f*0=a; f*2=c", false);
  ASSERT_TRUE(gap);
  const std::vector<MimeParameter> kept = {{"f*0", "a"}, {"f*2", "c"}};
  EXPECT_EQ(gap->params, kept);
  EXPECT_FALSE(parse_parameterized_value("text", true));
  EXPECT_FALSE(parse_parameterized_value("", false));
}

}  // namespace
}  // namespace endhost::mail::message
