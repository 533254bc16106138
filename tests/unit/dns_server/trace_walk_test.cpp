// The --trace walk against the example hierarchy, answered by the real answer engine: root → com →
// networkutopia.com, plus lame servers, glueless referrals, out-of-bailiwick glue and loops.
#include <gtest/gtest.h>

#include "dns/answer.hpp"
#include "dns/client/root_hints.hpp"
#include "dns/client/trace_walk.hpp"
#include "dns/zone_parser.hpp"
#include "test_util.hpp"

namespace endhost::dns::client {
namespace {

using test::N;
using Reply = TraceWalk::Reply;
using Outcome = TraceWalk::Outcome;

ServerAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  ServerAddress s;
  s.bytes[0] = a;
  s.bytes[1] = b;
  s.bytes[2] = c;
  s.bytes[3] = d;
  return s;
}

Zone example(const std::string& file, const std::string& origin) {
  ZoneParseOptions o;
  o.origin = N(origin);
  auto z = load_zone_file(std::string(ENDHOST_EXAMPLE_ZONES) + "/" + file, o);
  EXPECT_TRUE(z) << z.error().to_string();
  return std::move(*z);
}

// Asks the zone set that `address` serves, as a network would.
Message ask(const ZoneSet& zones, const TraceWalk& w) {
  auto q = test::wire(make_query(1, w.qname(), w.qtype(), false));
  std::vector<std::uint8_t> out(65535);
  auto r = answer(q, zones, AnswerOptions{}, out);
  auto m = decode_message(std::span(out.data(), r.size));
  EXPECT_TRUE(m);
  return *m;
}

std::vector<NameServer> roots() {
  return {{N("a.root-servers.net."), {v4(127, 0, 1, 1)}}};
}

TEST(TraceWalk, WalksTheTextbookHierarchy) {
  ZoneSet root, com, nu;
  ASSERT_TRUE(root.add(example("root.zone", ".")));
  ASSERT_TRUE(com.add(example("com.zone", "com.")));
  ASSERT_TRUE(nu.add(example("networkutopia.com.zone", "networkutopia.com.")));
  TraceWalk w(N("www.networkutopia.com."), RRType::A, roots());
  auto a1 = w.next();
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->address, v4(127, 0, 1, 1));
  EXPECT_TRUE(a1->zone.is_root());
  EXPECT_EQ(w.on_response(ask(root, w)), Reply::referral);
  EXPECT_EQ(w.zone(), N("com."));
  auto a2 = w.next();
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->server, N("a.gtld-servers.net."));
  EXPECT_EQ(a2->address, v4(127, 0, 1, 2));  // glue from the root zone
  EXPECT_EQ(w.on_response(ask(com, w)), Reply::referral);
  EXPECT_EQ(w.zone(), N("networkutopia.com."));
  auto a3 = w.next();
  ASSERT_TRUE(a3);
  EXPECT_EQ(a3->address, v4(212, 212, 212, 1));
  EXPECT_EQ(w.on_response(ask(nu, w)), Reply::answer);
  EXPECT_EQ(w.outcome(), Outcome::answer);
  EXPECT_FALSE(w.next());
}

TEST(TraceWalk, EndsWithNxdomainAndNodata) {
  ZoneSet nu;
  ASSERT_TRUE(nu.add(example("networkutopia.com.zone", "networkutopia.com.")));
  TraceWalk nx(N("nope.networkutopia.com."), RRType::A, roots());
  ASSERT_TRUE(nx.next());
  EXPECT_EQ(nx.on_response(ask(nu, nx)), Reply::nxdomain);
  EXPECT_EQ(nx.outcome(), Outcome::nxdomain);
  TraceWalk nodata(N("mail.networkutopia.com."), RRType::AAAA, roots());
  ASSERT_TRUE(nodata.next());
  EXPECT_EQ(nodata.on_response(ask(nu, nodata)), Reply::nodata);
  EXPECT_EQ(nodata.outcome(), Outcome::nodata);
}

TEST(TraceWalk, MovesToTheNextServerAfterSilenceOrARefusal) {
  std::vector<NameServer> two{{N("a.root."), {v4(127, 0, 1, 1)}}, {N("b.root."), {v4(127, 0, 1, 9)}}};
  TraceWalk w(N("www.example."), RRType::A, two);
  ASSERT_TRUE(w.next());
  w.on_no_response();
  auto second = w.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->address, v4(127, 0, 1, 9));
  Message refused;
  refused.header.qr = true;
  refused.set_rcode(Rcode::REFUSED);
  EXPECT_EQ(w.on_response(refused), Reply::error);
  EXPECT_FALSE(w.next());
  EXPECT_EQ(w.outcome(), Outcome::failed);
  EXPECT_NE(w.failure().find("no server"), std::string::npos);
}

TEST(TraceWalk, RefusesReferralsThatDoNotMakeProgress) {
  // A "referral" back up to the root, or sideways to an unrelated zone, is lame.
  TraceWalk w(N("www.example.com."), RRType::A, roots());
  ASSERT_TRUE(w.next());
  Message up;
  up.header.qr = true;
  up.authorities.push_back(test::rr("org.", RRType::NS, rdata::Ns{N("a.org-servers.net.")}));
  EXPECT_EQ(w.on_response(up), Reply::lame);
  EXPECT_TRUE(w.zone().is_root());
}

TEST(TraceWalk, UsesOnlyInBailiwickGlueAndAsksForTheRest) {
  TraceWalk w(N("www.example.com."), RRType::A, roots());
  ASSERT_TRUE(w.next());
  // The root refers com. to a server under net. and attaches "glue" for it: out of the root's bailiwick? No:
  // the root is authoritative for everything, so that glue is acceptable. Go one level down instead.
  Message r1;
  r1.header.qr = true;
  r1.authorities.push_back(test::rr("com.", RRType::NS, rdata::Ns{N("a.gtld.com.")}));
  r1.additionals.push_back(test::rr("a.gtld.com.", RRType::A, test::a(127, 0, 1, 2)));
  ASSERT_EQ(w.on_response(r1), Reply::referral);
  ASSERT_TRUE(w.next());
  // com. refers example.com. to ns.example.net. with an address: outside com.'s bailiwick, so ignored.
  Message r2;
  r2.header.qr = true;
  r2.authorities.push_back(test::rr("example.com.", RRType::NS, rdata::Ns{N("ns.example.net.")}));
  r2.additionals.push_back(test::rr("ns.example.net.", RRType::A, test::a(6, 6, 6, 6)));
  ASSERT_EQ(w.on_response(r2), Reply::referral);
  EXPECT_FALSE(w.next());
  ASSERT_EQ(w.needs_address(), N("ns.example.net."));
  EXPECT_EQ(w.outcome(), Outcome::running);
  w.provide_addresses(N("ns.example.net."), {v4(127, 0, 1, 20)});
  EXPECT_FALSE(w.needs_address());
  auto next = w.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->address, v4(127, 0, 1, 20));
}

TEST(TraceWalk, GivesUpWhenAGluelessServerCannotBeFound) {
  TraceWalk w(N("www.example.com."), RRType::A, roots());
  ASSERT_TRUE(w.next());
  Message r;
  r.header.qr = true;
  r.authorities.push_back(test::rr("com.", RRType::NS, rdata::Ns{N("ns.elsewhere.net.")}));
  ASSERT_EQ(w.on_response(r), Reply::referral);
  ASSERT_TRUE(w.needs_address());
  w.provide_addresses(N("ns.elsewhere.net."), {});
  EXPECT_FALSE(w.needs_address());
  EXPECT_FALSE(w.next());
  EXPECT_EQ(w.outcome(), Outcome::failed);
}

TEST(TraceWalk, QueryLimitStopsEndlessRetries) {
  std::vector<NameServer> many{{N("a.root."), {}}};
  for (std::uint8_t i = 0; i < 100; ++i) many[0].addresses.push_back(v4(127, 0, 2, i));
  TraceLimits limits;
  limits.max_queries = 5;
  TraceWalk w(N("x."), RRType::A, many, limits);
  int sent = 0;
  while (w.next()) {
    ++sent;
    w.on_no_response();
  }
  EXPECT_EQ(sent, 5);
  EXPECT_EQ(w.outcome(), Outcome::failed);
}

TEST(RootHints, ReadsTheExampleHints) {
  auto hints = parse_root_hints(
      ". 3600000 NS A.ROOT-SERVERS.NET.\nA.ROOT-SERVERS.NET. 3600000 A 127.0.1.1\n"
      "A.ROOT-SERVERS.NET. 3600000 AAAA ::1\n",
      "root.hints");
  ASSERT_TRUE(hints) << hints.error();
  ASSERT_EQ(hints->size(), 1u);
  EXPECT_EQ((*hints)[0].name, N("a.root-servers.net."));
  ASSERT_EQ((*hints)[0].addresses.size(), 2u);
  EXPECT_EQ((*hints)[0].addresses[0].to_string(), "127.0.1.1");
  EXPECT_EQ((*hints)[0].addresses[1].to_string(), "::1");
}

TEST(RootHints, RejectsHintsWithoutAddresses) {
  auto none = parse_root_hints(". 3600000 NS A.ROOT-SERVERS.NET.\n", "h");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("no root server"), std::string::npos);
  auto bad = parse_root_hints(". 3600000 NS\n", "h");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("h:1"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace endhost::dns::client
