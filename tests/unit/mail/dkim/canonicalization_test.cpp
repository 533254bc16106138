// Canonicalization (RFC 6376 §3.4) against the example of §3.4.6.
#include <gtest/gtest.h>

#include "mail/dkim/canonicalization.hpp"

namespace endhost::mail::dkim {
namespace {

// §3.4.6: "A: <SP> X <CRLF> B <SP> : <SP> Y <HTAB><CRLF> <HTAB> Z <SP><SP><CRLF> <CRLF> <SP> C <SP><CRLF>
// D <SP><HTAB><SP> E <CRLF> <CRLF> <CRLF>".
constexpr std::string_view kExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

TEST(Canonicalization, RelaxedMatchesSection346) {
  auto m = split_message(kExample);
  ASSERT_TRUE(m) << m.error();
  ASSERT_EQ(m->headers.size(), 2u);
  EXPECT_EQ(m->headers[1].name, "B");
  EXPECT_EQ(canonicalize_header(Canon::Relaxed, m->headers[0]), "a:X\r\n");
  EXPECT_EQ(canonicalize_header(Canon::Relaxed, m->headers[1]), "b:Y Z\r\n");
  EXPECT_EQ(canonicalize_body(Canon::Relaxed, m->body), " C\r\nD E\r\n");
}

TEST(Canonicalization, SimpleMatchesSection346) {
  auto m = split_message(kExample);
  ASSERT_TRUE(m);
  EXPECT_EQ(canonicalize_header(Canon::Simple, m->headers[0]), "A: X\r\n");
  EXPECT_EQ(canonicalize_header(Canon::Simple, m->headers[1]), "B : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonicalize_body(Canon::Simple, m->body), " C \r\nD \t E\r\n");
}

TEST(Canonicalization, EmptyBodies) {
  // §3.4.3: the simple empty body is one CRLF; §3.4.4: the relaxed one is empty.
  EXPECT_EQ(canonicalize_body(Canon::Simple, ""), "\r\n");
  EXPECT_EQ(canonicalize_body(Canon::Simple, "\r\n\r\n"), "\r\n");
  EXPECT_EQ(canonicalize_body(Canon::Relaxed, ""), "");
  EXPECT_EQ(canonicalize_body(Canon::Relaxed, " \r\n\t\r\n"), "");
  // A last line without CRLF gets one.
  EXPECT_EQ(canonicalize_body(Canon::Relaxed, "abc"), "abc\r\n");
  EXPECT_EQ(canonicalize_body(Canon::Simple, "abc"), "abc\r\n");
}

TEST(Canonicalization, RelaxedHeaderKeepsColonsInTheValue) {
  auto m = split_message("H:  from : to\r\n\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(canonicalize_header(Canon::Relaxed, m->headers[0]), "h:from : to\r\n");
}

TEST(SplitMessage, RefusesALineThatIsNotAField) {
  EXPECT_FALSE(split_message("From: a\r\nnot a field\r\n\r\nbody"));
  EXPECT_FALSE(split_message(" continuation first\r\n\r\n"));
  auto headers_only = split_message("From: a\r\n");
  ASSERT_TRUE(headers_only);
  EXPECT_EQ(headers_only->body, "");
  auto obsolete = split_message("Subject : hi\r\n\r\nx");
  ASSERT_TRUE(obsolete);
  EXPECT_EQ(obsolete->headers[0].name, "Subject");
  EXPECT_EQ(obsolete->body, "x");
}

TEST(SplitMessage, NormalizesBareLineFeeds) {
  EXPECT_EQ(normalize_line_ends("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
}

}  // namespace
}  // namespace endhost::mail::dkim
