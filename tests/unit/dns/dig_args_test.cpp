// dig's grammar for `endhost dns query`: what users type after years of dig, read as dig reads it.
#include <gtest/gtest.h>

#include "dns/client/dig_args.hpp"

using namespace endhost::dns;
using namespace endhost::dns::client;

namespace {

DigArgs parse(std::vector<std::string> words) {
  auto a = parse_dig_words(words);
  EXPECT_TRUE(a) << a.error();
  return a ? *a : DigArgs{};
}

}  // namespace

TEST(DigArgs, ServerPortAndTypeBeforeOrAfterTheName) {
  auto a = parse({"@127.0.0.1", "-p", "5300", "MX", "networkutopia.com"});
  EXPECT_EQ(a.server, "127.0.0.1");
  EXPECT_EQ(a.port, 5300);
  ASSERT_EQ(a.questions.size(), 1u);
  EXPECT_EQ(a.questions[0].name, "networkutopia.com");
  EXPECT_EQ(a.questions[0].type, RRType::MX);
  auto b = parse({"networkutopia.com", "mx", "-p5300"});
  EXPECT_EQ(b.questions[0].type, RRType::MX);
  EXPECT_EQ(b.port, 5300);
}

TEST(DigArgs, SeveralNamesEachWithItsType) {
  auto a = parse({"a.example", "b.example", "NS", "c.example", "-t", "TXT", "IN"});
  ASSERT_EQ(a.questions.size(), 3u);
  EXPECT_EQ(a.questions[0].type, RRType::A);
  EXPECT_EQ(a.questions[1].type, RRType::NS);
  EXPECT_EQ(a.questions[2].type, RRType::TXT);
  EXPECT_EQ(a.questions[2].klass, RRClass::IN);
  auto ch = parse({"CH", "TXT", "version.bind"});
  EXPECT_EQ(ch.questions[0].klass, RRClass::CH);
  EXPECT_EQ(ch.questions[0].type, RRType::TXT);
}

TEST(DigArgs, NoNameAsksForTheRootServers) {
  auto a = parse({"@127.0.0.1"});
  ASSERT_EQ(a.questions.size(), 1u);
  EXPECT_EQ(a.questions[0].name, ".");
  EXPECT_EQ(a.questions[0].type, RRType::NS);
}

TEST(DigArgs, PlusOptions) {
  auto a =
      parse({"x.example", "+tcp", "+norecurse", "+trace", "+noedns", "+bufsize=4096", "+time=2", "+tries=1"});
  EXPECT_EQ(a.tcp, true);
  EXPECT_EQ(a.recurse, false);
  EXPECT_EQ(a.trace, true);
  EXPECT_EQ(a.edns, false);
  EXPECT_EQ(a.bufsize, 4096);
  EXPECT_EQ(a.timeout, 2.0);
  EXPECT_EQ(a.tries, 1);
  EXPECT_EQ(parse({"x", "+norec"}).recurse, false);
  EXPECT_EQ(parse({"x", "+vc"}).tcp, true);
}

TEST(DigArgs, DisplaySwitches) {
  EXPECT_TRUE(parse({"x"}).display.everything());
  auto a = parse({"x", "+noall", "+answer"}).display;
  EXPECT_TRUE(a.answer);
  EXPECT_FALSE(a.cmd || a.comments || a.question || a.authority || a.additional || a.stats || a.short_form);
  auto s = parse({"x", "+short"}).display;
  EXPECT_TRUE(s.short_form);
  EXPECT_FALSE(s.everything());
  auto n = parse({"x", "+nostats", "+nocmd"}).display;
  EXPECT_TRUE(n.answer && n.comments);
  EXPECT_FALSE(n.stats || n.cmd);
}

TEST(DigArgs, ReverseLookups) {
  auto a = parse({"-x", "127.0.1.10"});
  ASSERT_EQ(a.questions.size(), 1u);
  EXPECT_EQ(a.questions[0].name, "10.1.0.127.in-addr.arpa.");
  EXPECT_EQ(a.questions[0].type, RRType::PTR);
  EXPECT_EQ(*reverse_name("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  EXPECT_FALSE(reverse_name("not-an-address"));
}

TEST(DigArgs, ErrorsNameTheWord) {
  EXPECT_NE(parse_dig_words({"x", "+shrot"}).error().find("'+shrot' is not a dig option"), std::string::npos);
  EXPECT_NE(parse_dig_words({"-p", "http"}).error().find("-p 'http'"), std::string::npos);
  EXPECT_NE(parse_dig_words({"-p"}).error().find("-p needs a port"), std::string::npos);
  EXPECT_NE(parse_dig_words({"-x", "nope"}).error().find("-x 'nope'"), std::string::npos);
  EXPECT_NE(parse_dig_words({"-z"}).error().find("'-z' is not an option"), std::string::npos);
  EXPECT_NE(parse_dig_words({"x", "+bufsize=12"}).error().find("512 to 65535"), std::string::npos);
}

TEST(DigArgs, TraceHintsDefaultToTheSystemFile) {
  EXPECT_EQ(*trace_root_hints("mine.hints", true, "/usr/share/dns/root.hints"), "mine.hints");
  EXPECT_EQ(*trace_root_hints("", true, "/usr/share/dns/root.hints"), "/usr/share/dns/root.hints");
  auto missing = trace_root_hints("", false, "/usr/share/dns/root.hints");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("give --root-hints FILE"), std::string::npos);
}
