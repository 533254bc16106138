// Envelope address syntax (RFC 5321 §4.1.2, §4.5.3.1; RFC 6531 §3.3).
#include <gtest/gtest.h>

#include "smtp/address.hpp"

namespace endhost::smtp {
namespace {

Path path_ok(std::string_view text, bool utf8 = false) {
  auto p = parse_path(text, utf8);
  EXPECT_TRUE(p) << text;
  return p ? *p : Path{};
}

AddressError path_error(std::string_view text, bool utf8 = false) {
  auto p = parse_path(text, utf8);
  EXPECT_FALSE(p) << text;
  return p ? AddressError::Syntax : p.error();
}

TEST(SmtpAddress, PlainMailbox) {
  const Path p = path_ok("<alice@crepes.fr>");
  EXPECT_FALSE(p.null);
  EXPECT_EQ(p.mailbox.local_part, "alice");
  EXPECT_EQ(p.mailbox.domain, "crepes.fr");
  EXPECT_EQ(p.mailbox.address(), "alice@crepes.fr");
}

TEST(SmtpAddress, NullPath) {
  EXPECT_TRUE(path_ok("<>").null);
}

TEST(SmtpAddress, SourceRouteIgnored) {
  EXPECT_EQ(path_ok("<@a.example,@b.example:bob@hamburger.edu>").mailbox.address(), "bob@hamburger.edu");
  EXPECT_EQ(path_error("<@a.example,:bob@hamburger.edu>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<@:bob@hamburger.edu>"), AddressError::Syntax);
}

TEST(SmtpAddress, QuotedLocalPart) {
  const Path p = path_ok(R"(<"john \"jd\" doe"@crepes.fr>)");
  EXPECT_EQ(p.mailbox.local_part, R"(john "jd" doe)");
  EXPECT_EQ(p.mailbox.address(), R"("john \"jd\" doe"@crepes.fr)");
  // Quoting that is not needed goes away: "bob" is bob (§4.1.2).
  EXPECT_EQ(path_ok(R"(<"bob"@hamburger.edu>)").mailbox.address(), "bob@hamburger.edu");
  EXPECT_EQ(path_error(R"(<"unterminated@crepes.fr>)"), AddressError::Syntax);
}

TEST(SmtpAddress, DotStringRules) {
  EXPECT_EQ(path_error("<a..b@crepes.fr>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<.a@crepes.fr>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<a.@crepes.fr>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<a b@crepes.fr>"), AddressError::Syntax);
  EXPECT_EQ(path_ok("<a.b+tag!#$%&'*/=?^_`{|}~-@crepes.fr>").mailbox.local_part, "a.b+tag!#$%&'*/=?^_`{|}~-");
}

TEST(SmtpAddress, Domains) {
  EXPECT_EQ(path_error("<bob@-bad.example>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<bob@bad-.example>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<bob@a..example>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<bob@>"), AddressError::Syntax);
  EXPECT_EQ(path_error("<bob>"), AddressError::Syntax);
  EXPECT_EQ(path_error("bob@hamburger.edu"), AddressError::Syntax);
  EXPECT_TRUE(valid_domain("x-1.example", false));
  EXPECT_FALSE(valid_domain(std::string(64, 'a') + ".example", false));
}

TEST(SmtpAddress, AddressLiterals) {
  EXPECT_EQ(path_ok("<bob@[192.0.2.1]>").mailbox.domain, "[192.0.2.1]");
  EXPECT_EQ(path_ok("<bob@[IPv6:2001:db8::1]>").mailbox.domain, "[IPv6:2001:db8::1]");
  EXPECT_TRUE(valid_address_literal("[IPv6:::ffff:192.0.2.1]"));
  EXPECT_TRUE(valid_address_literal("[IPv6:1:2:3:4:5:6:7:8]"));
  EXPECT_FALSE(valid_address_literal("[IPv6:1:2:3:4:5:6:7:8:9]"));
  EXPECT_FALSE(valid_address_literal("[IPv6:1::2::3]"));
  EXPECT_FALSE(valid_address_literal("[256.0.0.1]"));
  EXPECT_FALSE(valid_address_literal("[1.2.3]"));
  EXPECT_TRUE(valid_address_literal("[x-tag:stuff]"));
  EXPECT_FALSE(valid_address_literal("[]"));
}

TEST(SmtpAddress, Postmaster) {
  const Path p = path_ok("<PostMaster>");
  EXPECT_EQ(p.mailbox.local_part, "postmaster");
  EXPECT_EQ(p.mailbox.domain, "");
  EXPECT_EQ(p.mailbox.address(), "postmaster");
}

TEST(SmtpAddress, Lengths) {
  // §4.5.3.1.1: 64 octets of local part; §4.5.3.1.3: 256 of path.
  EXPECT_TRUE(parse_path("<" + std::string(64, 'a') + "@x.example>", false));
  EXPECT_EQ(path_error("<" + std::string(65, 'a') + "@x.example>"), AddressError::TooLong);
  std::string domain;
  for (int i = 0; i < 5; ++i) domain += std::string(60, 'd') + ".";
  domain += "example";
  EXPECT_EQ(path_error("<a@" + domain + ">"), AddressError::TooLong);
}

TEST(SmtpAddress, Utf8OnlyWhenAllowed) {
  EXPECT_EQ(path_error("<j\xc3\xb6rg@crepes.fr>"), AddressError::Utf8NotAllowed);
  EXPECT_TRUE(path_ok("<j\xc3\xb6rg@cr\xc3\xaapes.fr>", true).mailbox.utf8);
  EXPECT_EQ(path_error("<j\xc3@crepes.fr>", true), AddressError::BadUtf8);
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x8d\x94"));   // a hamburger
}

TEST(SmtpAddress, PathArgs) {
  auto a = parse_path_args("FROM:<alice@crepes.fr> SIZE=100  body=8BITMIME SMTPUTF8", "FROM", true, true);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->parameters.size(), 3u);
  EXPECT_EQ(a->parameters[0], (Parameter{"SIZE", "100", true}));
  EXPECT_EQ(a->parameters[1], (Parameter{"BODY", "8BITMIME", true}));
  EXPECT_EQ(a->parameters[2], (Parameter{"SMTPUTF8", "", false}));
  // The textbook's space after the colon, and the keyword in any case.
  EXPECT_TRUE(parse_path_args("from: <alice@crepes.fr>", "FROM", true, false));
  EXPECT_FALSE(parse_path_args("FROM <alice@crepes.fr>", "FROM", true, false));
  EXPECT_FALSE(parse_path_args("TO:<alice@crepes.fr>", "FROM", true, false));
  EXPECT_FALSE(parse_path_args("FROM:<alice@crepes.fr>junk", "FROM", true, false));
  EXPECT_FALSE(parse_path_args("FROM:<alice@crepes.fr> =x", "FROM", true, false));
  EXPECT_FALSE(parse_path_args("FROM:<alice@crepes.fr> SIZE=", "FROM", true, false));
  EXPECT_EQ(parse_path_args("TO:<>", "TO", false, false).error(), AddressError::NullNotAllowed);
  // A '>' inside a quoted local part does not end the path.
  auto q = parse_path_args(R"(TO:<"a>b"@hamburger.edu>)", "TO", false, false);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->path.mailbox.local_part, "a>b");
  std::string many = "FROM:<a@b.example>";
  for (std::size_t i = 0; i <= kMaxParameters; ++i) many += " X" + std::to_string(i) + "=1";
  EXPECT_FALSE(parse_path_args(many, "FROM", true, false));
}

}  // namespace
}  // namespace endhost::smtp
