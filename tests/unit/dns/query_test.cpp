// parse_query's verdicts: drop vs FORMERR vs NOTIMP vs answer (see query.hpp for the policy).
#include <gtest/gtest.h>

#include "dns/limits.hpp"
#include "dns/query.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

std::vector<std::uint8_t> query(std::optional<Edns> edns = std::nullopt) {
  return test::encode(make_query(7, N("www.Example.com."), RRType::AAAA, true, std::move(edns)));
}

TEST(ParseQuery, WellFormedQuery) {
  auto w = query();
  ParsedQuery q = parse_query(w);
  EXPECT_EQ(q.verdict, QueryVerdict::answer);
  EXPECT_EQ(q.qname.to_string(), "www.Example.com.");  // case preserved
  EXPECT_EQ(q.qtype, RRType::AAAA);
  EXPECT_FALSE(q.has_edns);
  EXPECT_EQ(q.udp_payload, 512);
}

TEST(ParseQuery, Edns) {
  Edns e;
  e.udp_payload = 4096;
  e.dnssec_ok = true;
  e.options.push_back({10, {1, 2, 3, 4, 5, 6, 7, 8}});
  auto w = query(e);
  ParsedQuery q = parse_query(w);
  ASSERT_EQ(q.verdict, QueryVerdict::answer);
  EXPECT_TRUE(q.has_edns);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_EQ(q.udp_payload, 4096);
  EXPECT_EQ(q.edns_options.size(), 12u);
}

TEST(ParseQuery, DropShortPacketsAndResponses) {
  auto w = query();
  EXPECT_EQ(parse_query(std::span(w).first(11)).verdict, QueryVerdict::drop);
  EXPECT_EQ(parse_query({}).verdict, QueryVerdict::drop);
  w[2] |= 0x80;
  EXPECT_EQ(parse_query(w).verdict, QueryVerdict::drop);
}

TEST(ParseQuery, NotimpForOtherOpcodesEchoesQuestion) {
  auto w = query();
  w[2] = static_cast<std::uint8_t>((w[2] & ~0x78) | (static_cast<int>(Opcode::UPDATE) << 3));
  ParsedQuery q = parse_query(w);
  EXPECT_EQ(q.verdict, QueryVerdict::notimp);
  EXPECT_TRUE(q.has_question);
}

std::vector<std::uint8_t> with_opcode(std::vector<std::uint8_t> w, int opcode) {
  w[2] = static_cast<std::uint8_t>((w[2] & ~0x78) | (opcode << 3));
  return w;
}

TEST(ParseQuery, NotimpFindsTheOpt) {
  // RFC 6891 §6.1.1: the NOTIMP reply to a request with an OPT carries one, so parse_query must find it.
  Edns e;
  e.udp_payload = 1400;
  e.dnssec_ok = true;
  ParsedQuery q = parse_query(with_opcode(query(e), 15));
  EXPECT_EQ(q.verdict, QueryVerdict::notimp);
  EXPECT_TRUE(q.has_edns);
  EXPECT_EQ(q.udp_payload, 1400);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_FALSE(parse_query(with_opcode(query(), 15)).has_edns);
}

TEST(ParseQuery, NotimpSkipsAnswerRecordsBeforeTheOpt) {
  // A NOTIFY may carry the new SOA in its answer section (RFC 1996 §3.7); the OPT follows it.
  Message m = make_query(7, N("example."), RRType::SOA, false, Edns{});
  m.header.opcode = Opcode::NOTIFY;
  m.answers.push_back(ResourceRecord{N("example."), RRType::SOA, RRClass::IN, Ttl{60},
                                     Rdata{rdata::Soa{N("ns.example."), N("h.example."), 1, 2, 3, 4, 5}}});
  ParsedQuery q = parse_query(test::encode(m));
  EXPECT_EQ(q.verdict, QueryVerdict::notimp);
  EXPECT_TRUE(q.has_edns);
}

TEST(ParseQuery, NotimpStaysNotimpWhenTheRestIsMalformed) {
  Edns e;
  auto good = with_opcode(query(e), 15);
  auto trailing = good;
  trailing.push_back(0);
  auto cut = good;
  cut.pop_back();
  auto extra_count = good;
  extra_count[11] = 2;  // ARCOUNT 2, one record
  auto two_opts = good;
  two_opts[11] = 2;
  two_opts.insert(two_opts.end(), good.end() - kOptRecordSize, good.end());
  for (const auto* w : {&trailing, &cut, &extra_count, &two_opts}) {
    ParsedQuery q = parse_query(*w);
    EXPECT_EQ(q.verdict, QueryVerdict::notimp);
    EXPECT_FALSE(q.has_edns) << "malformed: answered without an OPT";
  }
}

TEST(ParseQuery, Formerr) {
  auto base = query();
  auto expect_formerr = [](std::vector<std::uint8_t> w, const char* what) {
    ParsedQuery q = parse_query(w);
    EXPECT_EQ(q.verdict, QueryVerdict::formerr) << what;
  };
  auto qd0 = base;
  qd0[5] = 0;
  expect_formerr(qd0, "qdcount 0");
  auto qd2 = base;
  qd2[5] = 2;
  expect_formerr(qd2, "qdcount 2");
  auto an = base;
  an[7] = 1;
  expect_formerr(an, "ancount");
  auto trunc = base;
  trunc.pop_back();
  expect_formerr(trunc, "truncated question");
  auto trailing = base;
  trailing.push_back(0);
  expect_formerr(trailing, "trailing garbage");
  auto loop = test::bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1});
  expect_formerr(loop, "pointer loop");
  // Two OPT records.
  auto e = query(Edns{});
  auto two = e;
  two[11] = 2;
  two.insert(two.end(), e.end() - 11, e.end());
  expect_formerr(two, "two OPT");
  // OPT whose option overruns the RDATA.
  Edns bad;
  bad.options.push_back({1, {1, 2}});
  auto over = query(bad);
  over[over.size() - 3] = 9;  // option length 9 > 2
  expect_formerr(over, "bad option");
}

TEST(ParseQuery, OtherAdditionalRecordsAreSkipped) {
  Message m = make_query(1, N("a."), RRType::A, false, Edns{});
  m.additionals.push_back(
      ResourceRecord{N("key."), static_cast<RRType>(250), RRClass::ANY, Ttl{0}, rdata::Unknown{{1, 2}}});
  auto w = test::encode(m);
  ParsedQuery q = parse_query(w);
  EXPECT_EQ(q.verdict, QueryVerdict::answer);
  EXPECT_TRUE(q.has_edns);
}

}  // namespace
}  // namespace endhost::dns
