// The small parts: root hints, the client ACL, the infrastructure cache, and answers written to clients.
#include <gtest/gtest.h>

#include "core/address_acl.hpp"
#include "dns/query.hpp"
#include "dns/resolver/infra_cache.hpp"
#include "dns/resolver/response_writer.hpp"
#include "dns/resolver/root_hints.hpp"
#include "sim.hpp"

namespace endhost::dns::resolver::test {
namespace {

constexpr const char* kNamedRoot = R"(;       This file holds the information on root name servers
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
.                        3600000      NS    NOADDR.ROOT-SERVERS.NET.
unrelated.example.       3600000      A     192.0.2.1
; End of file
)";

TEST(RootHints, ParsesNamedRoot) {
  auto h = parse_root_hints(kNamedRoot, "named.root");
  ASSERT_TRUE(h.has_value()) << h.error();
  ASSERT_EQ(h->servers.size(), 2u) << "the server without an address is left out";
  EXPECT_EQ(h->servers[0].name, N("a.root-servers.net."));
  ASSERT_EQ(h->servers[0].addresses.size(), 2u);
  EXPECT_EQ(h->servers[0].addresses[0].to_string(), "198.41.0.4");
  EXPECT_TRUE(h->servers[0].addresses[1].v6);
  EXPECT_EQ(h->servers[1].addresses[0].to_string(), "170.247.170.2");
}

TEST(RootHints, ErrorsNameTheFileAndLine) {
  auto bad = parse_root_hints(".  3600 NS a.root.\na.root. 3600 A 300.1.1.1\n", "hints.txt");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("hints.txt:2"), std::string::npos) << bad.error();
  auto empty = parse_root_hints("; nothing\n", "empty.txt");
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().find("no root server"), std::string::npos) << empty.error();
}

// The resolver's --allow is core::AddressAcl over the engine's address values.
TEST(Acl, MatchesTheEnginesAddresses) {
  auto acl = core::AddressAcl::parse({"10.1.0.0/16", "2001:db8::/32"});
  ASSERT_TRUE(acl.has_value()) << acl.error();
  EXPECT_TRUE(acl->allows(ip("10.1.200.3").octets()));
  EXPECT_FALSE(acl->allows(ip("10.2.0.1").octets()));
  EXPECT_TRUE(acl->allows(ip("2001:db8:1::5").octets()));
  EXPECT_TRUE(acl->allows(
      IpAddress::v6_from(std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3})
          .octets()))
      << "IPv4-mapped addresses match IPv4 rules";
}

TEST(InfraCache, SmoothsRttAndBacksOff) {
  TimingConfig t;
  InfraCache infra(t, 100);
  ServerEndpoint s = ep("10.0.0.1");
  Instant now{Millis(0)};
  EXPECT_EQ(infra.timeout(s, now), Millis(376));
  EXPECT_EQ(infra.selection_rtt(s, now), Millis(376));
  infra.on_answer(s, Millis(100), now);
  EXPECT_EQ(infra.selection_rtt(s, now), Millis(100));
  EXPECT_EQ(infra.timeout(s, now), Millis(300));  // srtt + 4 * rttvar = 100 + 4 * 50
  infra.on_answer(s, Millis(20), now);
  EXPECT_EQ(infra.selection_rtt(s, now), Millis(90));  // 7/8 * 100 + 1/8 * 20
  infra.on_timeout(s, now);
  infra.on_timeout(s, now);
  EXPECT_EQ(infra.timeouts_in_row(s, now), 2u);
  Millis backed_off = infra.timeout(s, now);
  infra.on_timeout(s, now);
  EXPECT_EQ(infra.timeout(s, now), std::min(backed_off * 2, t.max_timeout));
  for (int i = 0; i < 10; ++i) infra.on_timeout(s, now);
  EXPECT_EQ(infra.timeout(s, now), t.max_timeout);
  // Forgotten after infra_ttl.
  EXPECT_EQ(infra.timeout(s, now + t.infra_ttl), Millis(376));
}

TEST(InfraCache, IsBounded) {
  InfraCache infra(TimingConfig{}, 10);
  Instant now{Millis(0)};
  for (int i = 0; i < 100; ++i) {
    infra.on_answer(ServerEndpoint{ip("10.0.0." + std::to_string(i)), 53}, Millis(5), now);
  }
  EXPECT_LE(infra.size(), 10u);
}

std::vector<std::uint8_t> query_wire(std::string_view name, RRType type, bool edns,
                                     std::uint16_t payload = 1232, bool dnssec_ok = false) {
  std::optional<Edns> opt;
  if (edns) {
    opt.emplace();
    opt->udp_payload = payload;
    opt->dnssec_ok = dnssec_ok;
  }
  return encode(make_query(0xBEEF, N(name), type, true, opt));
}

TEST(ResponseWriter, AnswersWithTheClientsQuestionAndDecrementedTtls) {
  auto wire = query_wire("WwW.Example.", RRType::A, true);
  ParsedQuery q = parse_query(wire);
  std::vector<Rdata> rd{rdata::A{{192, 0, 2, 1}}, rdata::A{{192, 0, 2, 2}}};
  std::vector<AnswerRRset> answer{{make_rrset(N("www.example."), RRType::A, Ttl{300}, rd), Ttl{123}}};
  std::array<std::uint8_t, 1232> out;
  auto w = write_response(q, Rcode::NOERROR, answer, {}, ResponseOptions{}, out);
  ASSERT_GT(w.size, 0u);
  Message m = decode(std::span(out.data(), w.size));
  EXPECT_EQ(m.header.id, 0xBEEF);
  EXPECT_TRUE(m.header.qr && m.header.ra && m.header.rd);
  EXPECT_FALSE(m.header.aa);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name.to_string(), "WwW.Example.") << "the question is echoed as sent (0x20)";
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].ttl.seconds, 123u);
  ASSERT_TRUE(m.edns.has_value());
}

TEST(ResponseWriter, TruncatesWholeRRsetsToThePayloadSize) {
  std::vector<Rdata> rd;
  for (int i = 0; i < 60; ++i) rd.push_back(rdata::A{{192, 0, 2, static_cast<std::uint8_t>(i)}});
  std::vector<AnswerRRset> answer{{make_rrset(N("big.example."), RRType::A, Ttl{300}, rd), Ttl{300}}};
  std::array<std::uint8_t, 65535> out;
  // No EDNS: 512 octets; 60 A records need about 960.
  auto plain = query_wire("big.example.", RRType::A, false);
  auto w = write_response(parse_query(plain), Rcode::NOERROR, answer, {}, ResponseOptions{}, out);
  EXPECT_TRUE(w.truncated);
  EXPECT_LE(w.size, 512u);
  Message m = decode(std::span(out.data(), w.size));
  EXPECT_TRUE(m.header.tc);
  EXPECT_TRUE(m.answers.empty()) << "whole RRsets or nothing";
  // EDNS with room: all of it.
  auto big = query_wire("big.example.", RRType::A, true, 4096);
  w = write_response(parse_query(big), Rcode::NOERROR, answer, {}, ResponseOptions{}, out);
  EXPECT_FALSE(w.truncated);
  EXPECT_EQ(decode(std::span(out.data(), w.size)).answers.size(), 60u);
  // TCP: no UDP limit.
  ResponseOptions tcp;
  tcp.transport = Transport::tcp;
  w = write_response(parse_query(plain), Rcode::NOERROR, answer, {}, tcp, out);
  EXPECT_FALSE(w.truncated);
  EXPECT_GT(w.size, 512u);
}

TEST(ResponseWriter, ErrorWithoutQuestionIsAHeader) {
  std::vector<std::uint8_t> junk = {0x12, 0x34, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0};
  ParsedQuery q = parse_query(junk);
  ASSERT_EQ(q.verdict, QueryVerdict::formerr);
  std::array<std::uint8_t, 512> out;
  auto w = write_response(q, Rcode::FORMERR, {}, {}, ResponseOptions{}, out);
  ASSERT_EQ(w.size, kHeaderSize);
  Header h = decode_header(out);
  EXPECT_EQ(h.id, 0x1234);
  EXPECT_EQ(h.rcode, 1);
  EXPECT_EQ(h.qdcount, 0);
}

TEST(ResponseWriter, ExtendedRcodeGoesIntoTheOpt) {
  auto wire = query_wire("www.example.", RRType::A, true);
  std::array<std::uint8_t, 512> out;
  auto w = write_response(parse_query(wire), Rcode::BADVERS, {}, {}, ResponseOptions{}, out);
  Message m = decode(std::span(out.data(), w.size));
  EXPECT_EQ(m.rcode(), Rcode::BADVERS);
}

TEST(ResponseWriter, NotimpForAnUnknownOpcodeClearsTheQueryFlags) {
  // genreport's "opcodeflg": RD, RA, CD (and Z, AD, AA, TC) belong to QUERY; the NOTIMP reply has none.
  std::vector<std::uint8_t> q = {
      0x12, 0x34, static_cast<std::uint8_t>(15 << 3 | 0x07), 0xF0, 0, 0, 0, 0, 0, 0, 0, 0};
  ParsedQuery pq = parse_query(q);
  ASSERT_EQ(pq.verdict, QueryVerdict::notimp);
  std::array<std::uint8_t, 512> out;
  auto w = write_response(pq, Rcode::NOTIMP, {}, {}, ResponseOptions{}, out);
  ASSERT_EQ(w.size, kHeaderSize);
  EXPECT_EQ(out[2], 0x80 | 15 << 3);
  EXPECT_EQ(out[3], static_cast<std::uint8_t>(Rcode::NOTIMP));
}

TEST(ResponseWriter, NotimpToAnEdnsRequestCarriesAnOpt) {
  // RFC 6891 §6.1.1: an OPT in the request means an OPT in the response, NOTIMP included.
  auto wire = query_wire("www.example.", RRType::A, true, 1232, false);
  wire[2] = static_cast<std::uint8_t>(15 << 3 | 0x01);
  ParsedQuery pq = parse_query(wire);
  ASSERT_EQ(pq.verdict, QueryVerdict::notimp);
  std::array<std::uint8_t, 512> out;
  auto w = write_response(pq, Rcode::NOTIMP, {}, {}, ResponseOptions{}, out);
  Message m = decode(std::span(out.data(), w.size));
  EXPECT_EQ(m.rcode(), Rcode::NOTIMP);
  EXPECT_EQ(out[2], 0x80 | 15 << 3);
  EXPECT_EQ(out[3], static_cast<std::uint8_t>(Rcode::NOTIMP));
  EXPECT_TRUE(m.edns.has_value());
}

TEST(ResponseWriter, CopiesTheDoBitIntoTheResponse) {
  // RFC 3225 §3: the DO bit of the query is copied into the response, set or clear.
  std::array<std::uint8_t, 512> out;
  for (bool dnssec_ok : {true, false}) {
    auto wire = query_wire("www.example.", RRType::A, true, 1232, dnssec_ok);
    auto w = write_response(parse_query(wire), Rcode::NOERROR, {}, {}, ResponseOptions{}, out);
    Message m = decode(std::span(out.data(), w.size));
    ASSERT_TRUE(m.edns.has_value());
    EXPECT_EQ(m.edns->dnssec_ok, dnssec_ok);
  }
}

}  // namespace
}  // namespace endhost::dns::resolver::test
