// The authoritative answer engine, driven by the example zones (Kurose & Ross hierarchy) and by the
// wildcard example of RFC 4592 §2.2.1. Each test sends query octets and decodes the response octets.
#include <gtest/gtest.h>

#include "dns/answer.hpp"
#include "dns/serial.hpp"
#include "dns/transfer.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

struct Reply {
  AnswerResult result;
  Message msg;
  std::vector<std::uint8_t> wire;
};

Reply ask(const ZoneSet& zones, std::string_view qname, RRType qtype, std::optional<Edns> edns = std::nullopt,
          AnswerOptions opt = {}) {
  auto q = test::encode(make_query(0x4242, N(qname), qtype, true, std::move(edns)));
  std::vector<std::uint8_t> out(65535);
  Reply r;
  r.result = answer(q, zones, opt, out);
  out.resize(r.result.size);
  r.wire = out;
  if (r.result.size) {
    auto m = decode_message(out);
    EXPECT_TRUE(m) << m.error().to_string();
    if (m) r.msg = std::move(*m);
  }
  return r;
}

std::vector<std::string> lines(const std::vector<ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs) out.push_back(to_string(rr));
  return out;
}

ZoneSet textbook(bool with_networkutopia = true) {
  ZoneSet zs;
  EXPECT_TRUE(zs.add(test::example_zone("root.zone", ".")));
  EXPECT_TRUE(zs.add(test::example_zone("com.zone", "com.")));
  if (with_networkutopia) {
    EXPECT_TRUE(zs.add(test::example_zone("networkutopia.com.zone", "networkutopia.com.")));
  }
  return zs;
}

TEST(Answer, AuthoritativeAnswer) {
  ZoneSet zs = textbook();
  Reply r = ask(zs, "www.networkutopia.com.", RRType::A);
  EXPECT_EQ(r.result.kind, AnswerKind::answer);
  EXPECT_TRUE(r.msg.header.qr);
  EXPECT_TRUE(r.msg.header.aa);
  EXPECT_TRUE(r.msg.header.rd);
  EXPECT_FALSE(r.msg.header.ra);
  EXPECT_EQ(r.msg.header.id, 0x4242);
  EXPECT_EQ(r.msg.rcode(), Rcode::NOERROR);
  EXPECT_EQ(lines(r.msg.answers),
            std::vector<std::string>{"www.networkutopia.com.\t3600\tIN\tA\t212.212.71.4"});
  EXPECT_TRUE(r.msg.authorities.empty());
  // The answer owner is a pointer to the question (offset 12).
  std::size_t answer_at = 12 + N("www.networkutopia.com.").size() + 4;
  EXPECT_EQ(r.wire[answer_at], 0xC0);
  EXPECT_EQ(r.wire[answer_at + 1], 12);
}

TEST(Answer, QuestionCaseIsEchoed) {
  ZoneSet zs = textbook();
  Reply r = ask(zs, "WwW.NetworkUtopia.COM.", RRType::A);
  ASSERT_EQ(r.msg.questions.size(), 1u);
  EXPECT_EQ(r.msg.questions[0].name.to_string(), "WwW.NetworkUtopia.COM.");
  EXPECT_EQ(r.msg.answers.size(), 1u);
}

TEST(Answer, CnameIsFollowedInsideTheZone) {
  ZoneSet zs = textbook();
  Reply r = ask(zs, "ftp.networkutopia.com.", RRType::A);
  EXPECT_TRUE(r.msg.header.aa);
  EXPECT_EQ(lines(r.msg.answers),
            (std::vector<std::string>{"ftp.networkutopia.com.\t3600\tIN\tCNAME\twww.networkutopia.com.",
                                      "www.networkutopia.com.\t3600\tIN\tA\t212.212.71.4"}));
  // Asking for the CNAME itself does not follow it.
  Reply c = ask(zs, "ftp.networkutopia.com.", RRType::CNAME);
  EXPECT_EQ(c.msg.answers.size(), 1u);
}

TEST(Answer, MxNsAndSrvTargetsGetAddressesInAdditional) {
  ZoneSet zs = textbook();
  Reply mx = ask(zs, "networkutopia.com.", RRType::MX);
  EXPECT_EQ(lines(mx.msg.answers),
            std::vector<std::string>{"networkutopia.com.\t3600\tIN\tMX\t10 mail.networkutopia.com."});
  EXPECT_EQ(lines(mx.msg.additionals),
            std::vector<std::string>{"mail.networkutopia.com.\t3600\tIN\tA\t212.212.71.5"});
  Reply ns = ask(zs, "networkutopia.com.", RRType::NS);
  EXPECT_EQ(ns.msg.answers.size(), 2u);
  EXPECT_EQ(lines(ns.msg.additionals),
            (std::vector<std::string>{"dns1.networkutopia.com.\t3600\tIN\tA\t212.212.212.1",
                                      "dns2.networkutopia.com.\t3600\tIN\tA\t212.212.212.2"}));
  Reply srv = ask(zs, "_http._tcp.networkutopia.com.", RRType::SRV);
  EXPECT_EQ(lines(srv.msg.additionals),
            (std::vector<std::string>{"www.networkutopia.com.\t3600\tIN\tA\t212.212.71.4",
                                      "www.networkutopia.com.\t3600\tIN\tAAAA\t2001:db8:71::4"}));
}

TEST(Answer, NxdomainAndNodataCarryTheSoaWithTheNegativeTtl) {
  ZoneSet zs = textbook();
  Reply nx = ask(zs, "nope.networkutopia.com.", RRType::A);
  EXPECT_EQ(nx.result.kind, AnswerKind::nxdomain);
  EXPECT_EQ(nx.msg.rcode(), Rcode::NXDOMAIN);
  EXPECT_TRUE(nx.msg.header.aa);
  EXPECT_TRUE(nx.msg.answers.empty());
  // RFC 2308 §3: TTL = min(SOA TTL 3600, MINIMUM 300).
  EXPECT_EQ(lines(nx.msg.authorities),
            std::vector<std::string>{"networkutopia.com.\t300\tIN\tSOA\tdns1.networkutopia.com. "
                                     "hostmaster.networkutopia.com. 2024010101 3600 900 604800 300"});
  Reply nodata = ask(zs, "mail.networkutopia.com.", RRType::AAAA);
  EXPECT_EQ(nodata.result.kind, AnswerKind::nodata);
  EXPECT_EQ(nodata.msg.rcode(), Rcode::NOERROR);
  EXPECT_TRUE(nodata.msg.answers.empty());
  ASSERT_EQ(nodata.msg.authorities.size(), 1u);
  EXPECT_EQ(nodata.msg.authorities[0].type, RRType::SOA);
  // An empty non-terminal is NODATA, not NXDOMAIN.
  Reply ent = ask(zs, "_tcp.networkutopia.com.", RRType::A);
  EXPECT_EQ(ent.result.kind, AnswerKind::nodata);
}

TEST(Answer, ReferralsFromTheParentZones) {
  ZoneSet zs = textbook(false);
  Reply r = ask(zs, "www.networkutopia.com.", RRType::A);
  EXPECT_EQ(r.result.kind, AnswerKind::referral);
  EXPECT_FALSE(r.msg.header.aa);
  EXPECT_EQ(r.msg.rcode(), Rcode::NOERROR);
  EXPECT_TRUE(r.msg.answers.empty());
  EXPECT_EQ(lines(r.msg.authorities),
            (std::vector<std::string>{"networkutopia.com.\t172800\tIN\tNS\tdns1.networkutopia.com.",
                                      "networkutopia.com.\t172800\tIN\tNS\tdns2.networkutopia.com."}));
  EXPECT_EQ(lines(r.msg.additionals),
            (std::vector<std::string>{"dns1.networkutopia.com.\t172800\tIN\tA\t212.212.212.1",
                                      "dns2.networkutopia.com.\t172800\tIN\tA\t212.212.212.2"}));
  // Glue is not answered authoritatively either: a query for it is a referral too.
  Reply glue = ask(zs, "dns1.networkutopia.com.", RRType::A);
  EXPECT_EQ(glue.result.kind, AnswerKind::referral);
  // The root refers com queries to the TLD server, with its address.
  ZoneSet root_only;
  ASSERT_TRUE(root_only.add(test::example_zone("root.zone", ".")));
  Reply rr = ask(root_only, "www.networkutopia.com.", RRType::A);
  EXPECT_EQ(rr.result.kind, AnswerKind::referral);
  EXPECT_EQ(lines(rr.msg.authorities), std::vector<std::string>{"com.\t172800\tIN\tNS\ta.gtld-servers.net."});
  EXPECT_EQ(lines(rr.msg.additionals),
            std::vector<std::string>{"a.gtld-servers.net.\t172800\tIN\tA\t127.0.1.2"});
  // The delegation point's NS asked directly is a referral too (the child is authoritative).
  Reply at_cut = ask(root_only, "fr.", RRType::NS);
  EXPECT_EQ(at_cut.result.kind, AnswerKind::referral);
  EXPECT_EQ(lines(at_cut.msg.additionals), std::vector<std::string>{"d.nic.fr.\t172800\tIN\tA\t127.0.1.4"});
  // DS at a cut belongs to the parent: NODATA here, authoritatively.
  Reply ds = ask(root_only, "fr.", RRType::DS);
  EXPECT_EQ(ds.result.kind, AnswerKind::nodata);
  EXPECT_TRUE(ds.msg.header.aa);
}

TEST(Answer, RefusedOutsideOurZonesAndForOtherClasses) {
  ZoneSet zs;
  ASSERT_TRUE(zs.add(test::example_zone("networkutopia.com.zone", "networkutopia.com.")));
  Reply r = ask(zs, "www.example.org.", RRType::A);
  EXPECT_EQ(r.result.kind, AnswerKind::refused);
  EXPECT_EQ(r.msg.rcode(), Rcode::REFUSED);
  EXPECT_FALSE(r.msg.header.aa);
  EXPECT_EQ(r.msg.questions.size(), 1u);
  Message ch = make_query(1, N("version.bind."), RRType::TXT, false, std::nullopt);
  ch.questions[0].klass = RRClass::CH;
  std::vector<std::uint8_t> out(512);
  EXPECT_EQ(answer(test::encode(ch), zs, {}, out).rcode, Rcode::REFUSED);
  EXPECT_EQ(ask(zs, "networkutopia.com.", RRType::AXFR).result.kind, AnswerKind::refused);
}

TEST(Answer, MalformedQueries) {
  ZoneSet zs = textbook();
  std::vector<std::uint8_t> out(512);
  auto q = test::encode(make_query(9, N("www.networkutopia.com."), RRType::A, true, std::nullopt));
  auto resp = q;
  resp[2] |= 0x80;
  EXPECT_EQ(answer(resp, zs, {}, out).size, 0u);  // a response: dropped
  EXPECT_EQ(answer(std::span(q).first(5), zs, {}, out).size, 0u);
  auto extra = q;
  extra.push_back(0);
  AnswerResult fe = answer(extra, zs, {}, out);
  EXPECT_EQ(fe.kind, AnswerKind::formerr);
  auto m = decode_message(std::span(out).first(fe.size));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.id, 9);
  EXPECT_EQ(m->rcode(), Rcode::FORMERR);
  EXPECT_EQ(m->questions.size(), 1u);
  auto notify = q;
  notify[2] = static_cast<std::uint8_t>(4 << 3);
  AnswerResult ni = answer(notify, zs, {}, out);
  EXPECT_EQ(ni.rcode, Rcode::NOTIMP);
  auto n = decode_message(std::span(out).first(ni.size));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->header.opcode, Opcode::NOTIFY);
}

TEST(Answer, NotimpForAnUnknownOpcodeClearsTheQueryFlags) {
  // genreport's "opcodeflg": a header-only opcode 15 with TC, RD, RA, Z, AD, CD and AA set. The reply is
  // NOTIMP with QR and the opcode, and none of those flags (RFC 6895 §2: they belong to QUERY).
  ZoneSet zs = textbook();
  std::vector<std::uint8_t> q = {
      0x12, 0x34, static_cast<std::uint8_t>(15 << 3 | 0x07), 0xF0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<std::uint8_t> out(512);
  AnswerResult r = answer(q, zs, {}, out);
  ASSERT_EQ(r.size, kHeaderSize);
  EXPECT_EQ(r.rcode, Rcode::NOTIMP);
  EXPECT_EQ(out[0], 0x12);
  EXPECT_EQ(out[1], 0x34);
  EXPECT_EQ(out[2], 0x80 | 15 << 3) << "QR and the opcode only: no AA, TC or RD";
  EXPECT_EQ(out[3], static_cast<std::uint8_t>(Rcode::NOTIMP)) << "no RA, Z, AD or CD";
  for (std::size_t i = 4; i < kHeaderSize; ++i) EXPECT_EQ(out[i], 0) << "empty sections";
}

TEST(Answer, NotimpToAnEdnsRequestCarriesAnOpt) {
  // RFC 6891 §6.1.1 (dig +opcode=15 warns "retry with +noedns" otherwise); the flags stay QR and opcode.
  ZoneSet zs = textbook();
  Edns e;
  e.dnssec_ok = true;
  auto q = test::encode(make_query(9, N("www.networkutopia.com."), RRType::A, true, e));
  q[2] = static_cast<std::uint8_t>(15 << 3 | 0x01);
  std::vector<std::uint8_t> out(512);
  AnswerResult r = answer(q, zs, {}, out);
  EXPECT_EQ(r.rcode, Rcode::NOTIMP);
  auto m = decode_message(std::span(out).first(r.size));
  ASSERT_TRUE(m);
  EXPECT_EQ(out[2], 0x80 | 15 << 3);
  ASSERT_TRUE(m->edns);
  EXPECT_EQ(m->edns->version, 0);
  EXPECT_TRUE(m->edns->dnssec_ok);
  EXPECT_EQ(m->questions.size(), 1u);
}

TEST(Answer, EdnsIsEchoedAndBadversReported) {
  ZoneSet zs = textbook();
  Edns e;
  e.udp_payload = 4096;
  e.dnssec_ok = true;
  Reply r = ask(zs, "www.networkutopia.com.", RRType::A, e);
  ASSERT_TRUE(r.msg.edns);
  EXPECT_EQ(r.msg.edns->udp_payload, kDefaultEdnsPayload);
  EXPECT_TRUE(r.msg.edns->dnssec_ok);
  EXPECT_EQ(r.msg.edns->version, 0);
  Reply none = ask(zs, "www.networkutopia.com.", RRType::A);
  EXPECT_FALSE(none.msg.edns);
  e.version = 1;
  Reply bv = ask(zs, "www.networkutopia.com.", RRType::A, e);
  EXPECT_EQ(bv.result.kind, AnswerKind::badvers);
  EXPECT_EQ(bv.msg.rcode(), Rcode::BADVERS);
  EXPECT_EQ(bv.msg.header.rcode, 0);
  ASSERT_TRUE(bv.msg.edns);
  EXPECT_EQ(bv.msg.edns->version, 0);
  EXPECT_TRUE(bv.msg.answers.empty());
}

TEST(Answer, AnyReturnsOneRRset) {
  // RFC 8482 §4.1, as NSD answers: one RRset of the name (the SOA at the apex), on UDP and on TCP.
  ZoneSet zs = textbook();
  Reply apex = ask(zs, "networkutopia.com.", RRType::ANY);
  EXPECT_EQ(apex.result.kind, AnswerKind::answer);
  ASSERT_EQ(apex.msg.answers.size(), 1u);  // not SOA, 2 NS, MX, TXT
  EXPECT_EQ(apex.msg.answers[0].type, RRType::SOA);
  EXPECT_TRUE(apex.msg.header.aa);
  AnswerOptions tcp;
  tcp.transport = Transport::tcp;
  Reply over_tcp = ask(zs, "networkutopia.com.", RRType::ANY, std::nullopt, tcp);
  ASSERT_EQ(over_tcp.msg.answers.size(), 1u);
  Reply www = ask(zs, "www.networkutopia.com.", RRType::ANY);
  ASSERT_FALSE(www.msg.answers.empty());
  for (const auto& rr : www.msg.answers) EXPECT_EQ(rr.type, www.msg.answers[0].type) << "one RRset";
  EXPECT_EQ(ask(zs, "nope.networkutopia.com.", RRType::ANY).msg.rcode(), Rcode::NXDOMAIN);
}

Reply ask_chaos(std::string_view qname, RRType qtype, const ServerIdentity* identity) {
  ZoneSet zs = textbook();
  auto query = make_query(7, N(qname), qtype, false, std::nullopt);
  query.questions[0].klass = RRClass::CH;
  auto q = test::encode(query);
  AnswerOptions opt;
  opt.identity = identity;
  std::vector<std::uint8_t> out(512);
  Reply r;
  r.result = answer(q, zs, opt, out);
  auto m = decode_message(std::span(out).first(r.result.size));
  EXPECT_TRUE(m);
  if (m) r.msg = std::move(*m);
  return r;
}

TEST(Answer, ChaosIdentityQueriesAnswerTheConfiguredStrings) {
  // RFC 4892 §2: version.bind / version.server, hostname.bind / id.server / hostname.server in class CH.
  ServerIdentity id{"endhost 9.9", "ns-test"};
  struct Case {
    const char* name;
    const char* text;
  };
  for (Case c : {Case{"version.bind.", "endhost 9.9"}, Case{"VERSION.server.", "endhost 9.9"},
                 Case{"hostname.bind.", "ns-test"}, Case{"id.server.", "ns-test"},
                 Case{"hostname.server.", "ns-test"}}) {
    Reply r = ask_chaos(c.name, RRType::TXT, &id);
    EXPECT_EQ(r.msg.rcode(), Rcode::NOERROR) << c.name;
    ASSERT_EQ(r.msg.answers.size(), 1u) << c.name;
    EXPECT_EQ(r.msg.answers[0].klass, RRClass::CH);
    EXPECT_EQ(r.msg.answers[0].type, RRType::TXT);
    EXPECT_EQ(r.msg.answers[0].ttl.seconds, 0u);
    EXPECT_NE(to_string(r.msg.answers[0]).find("\"" + std::string(c.text) + "\""), std::string::npos)
        << to_string(r.msg.answers[0]);
  }
  // Not an identity name, not TXT, an empty string, or identity off: REFUSED (NSD answers the same).
  EXPECT_EQ(ask_chaos("foo.bind.", RRType::TXT, &id).msg.rcode(), Rcode::REFUSED);
  EXPECT_EQ(ask_chaos("version.bind.", RRType::A, &id).msg.rcode(), Rcode::REFUSED);
  ServerIdentity no_version{"", "ns-test"};
  EXPECT_EQ(ask_chaos("version.bind.", RRType::TXT, &no_version).msg.rcode(), Rcode::REFUSED);
  EXPECT_EQ(ask_chaos("id.server.", RRType::TXT, &no_version).msg.rcode(), Rcode::NOERROR);
  EXPECT_EQ(ask_chaos("version.bind.", RRType::TXT, nullptr).msg.rcode(), Rcode::REFUSED);
}

std::string big_zone() {
  std::string z = "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\n";
  for (int i = 0; i < 40; ++i)
    z += "big TXT \"" + std::string(40, static_cast<char>('a' + i % 26)) + std::to_string(i) + "\"\n";
  z += "small A 192.0.2.1\nsmall TXT \"" + std::string(200, 'x') + "\"\n";
  for (int i = 0; i < 20; ++i)
    z += "mx MX " + std::to_string(i) + " host" + std::to_string(i) + "\n" + "host" + std::to_string(i) +
         " A 192.0.2." + std::to_string(i) + "\n";
  for (int i = 0; i < 3; ++i) z += "rr A 192.0.2." + std::to_string(100 + i) + "\n";
  return z;
}

TEST(Answer, TruncationDropsWholeRRsetsAndSetsTc) {
  ZoneSet zs;
  ASSERT_TRUE(zs.add(test::zone_from_text(big_zone(), "example.")));
  Reply udp = ask(zs, "big.example.", RRType::TXT);
  EXPECT_TRUE(udp.result.truncated);
  EXPECT_TRUE(udp.msg.header.tc);
  EXPECT_TRUE(udp.msg.answers.empty());  // the only RRset did not fit: none of it is sent
  EXPECT_LE(udp.wire.size(), 512u);
  Edns e;
  e.udp_payload = 4096;
  Reply edns = ask(zs, "big.example.", RRType::TXT, e);
  EXPECT_TRUE(edns.msg.header.tc);  // capped by our 1232
  EXPECT_LE(edns.wire.size(), 1232u);
  ASSERT_TRUE(edns.msg.edns);  // the OPT survives truncation
  AnswerOptions big;
  big.max_udp_payload = 4096;
  Reply edns4k = ask(zs, "big.example.", RRType::TXT, e, big);
  EXPECT_FALSE(edns4k.msg.header.tc);
  EXPECT_EQ(edns4k.msg.answers.size(), 40u);
  AnswerOptions tcp;
  tcp.transport = Transport::tcp;
  Reply t = ask(zs, "big.example.", RRType::TXT, std::nullopt, tcp);
  EXPECT_FALSE(t.msg.header.tc);
  EXPECT_EQ(t.msg.answers.size(), 40u);
  // ANY: the A RRset fits, the long TXT does not → partial answer with TC.
  Reply any = ask(zs, "small.example.", RRType::ANY, std::nullopt);
  EXPECT_FALSE(any.msg.header.tc);  // 200-octet TXT fits in 512
  // Additional data that does not fit is dropped silently (RFC 2181 §9): no TC.
  Reply mx = ask(zs, "mx.example.", RRType::MX);
  EXPECT_FALSE(mx.msg.header.tc);
  EXPECT_EQ(mx.msg.answers.size(), 20u);
  EXPECT_LT(mx.msg.additionals.size(), 20u);
  EXPECT_LE(mx.wire.size(), 512u);
  // A client advertising less than 512 still gets 512 (RFC 6891 §6.2.5).
  Edns tiny;
  tiny.udp_payload = 100;
  Reply small = ask(zs, "mx.example.", RRType::MX, tiny);
  EXPECT_GT(small.wire.size(), 100u);
}

TEST(Answer, RoundRobinRotationComesFromTheCaller) {
  ZoneSet zs;
  ASSERT_TRUE(zs.add(test::zone_from_text(big_zone(), "example.")));
  for (std::uint32_t rot = 0; rot < 4; ++rot) {
    AnswerOptions o;
    o.rotation = rot;
    Reply r = ask(zs, "rr.example.", RRType::A, std::nullopt, o);
    ASSERT_EQ(r.msg.answers.size(), 3u);
    EXPECT_EQ(std::get<rdata::A>(r.msg.answers[0].rdata).address[3], 100 + rot % 3) << rot;
  }
}

// RFC 4592 §2.2.1.
constexpr std::string_view kRfc4592 = R"($ORIGIN example.
example.                 3600 IN  SOA   ns.example.com. hm.example.com. 1 2 3 4 5
example.                 3600     NS    ns.example.com.
example.                 3600     NS    ns.example.net.
*.example.               3600     TXT   "this is a wildcard"
*.example.               3600     MX    10 host1.example.
sub.*.example.           3600     TXT   "this is not a wildcard"
host1.example.           3600     A     192.0.2.1
_ssh._tcp.host1.example. 3600     SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. 3600     SRV   0 0 22 host2.example.
subdel.example.          3600     NS    ns.example.com.
subdel.example.          3600     NS    ns.example.net.
)";

TEST(Wildcard, Rfc4592Examples) {
  ZoneSet zs;
  ASSERT_TRUE(zs.add(test::zone_from_text(kRfc4592, "example.")));
  // Matched by *.example: synthesized with the query name as owner, additional for the MX target.
  Reply mx = ask(zs, "host3.example.", RRType::MX);
  EXPECT_EQ(lines(mx.msg.answers),
            std::vector<std::string>{"host3.example.\t3600\tIN\tMX\t10 host1.example."});
  EXPECT_EQ(lines(mx.msg.additionals), std::vector<std::string>{"host1.example.\t3600\tIN\tA\t192.0.2.1"});
  EXPECT_TRUE(mx.msg.header.aa);
  // Matched, but no A at the wildcard: NODATA.
  Reply a = ask(zs, "host3.example.", RRType::A);
  EXPECT_EQ(a.result.kind, AnswerKind::nodata);
  // Several labels below the wildcard's parent still match.
  Reply txt = ask(zs, "foo.bar.example.", RRType::TXT);
  EXPECT_EQ(lines(txt.msg.answers),
            std::vector<std::string>{"foo.bar.example.\t3600\tIN\tTXT\t\"this is a wildcard\""});
  // Existing names are not matched by the wildcard.
  EXPECT_EQ(ask(zs, "host1.example.", RRType::MX).result.kind, AnswerKind::nodata);
  EXPECT_EQ(ask(zs, "sub.*.example.", RRType::MX).result.kind, AnswerKind::nodata);
  // The closest encloser _tcp.host1.example (an empty non-terminal) has no wildcard: NXDOMAIN.
  EXPECT_EQ(ask(zs, "_telnet._tcp.host1.example.", RRType::SRV).result.kind, AnswerKind::nxdomain);
  // host2.example is an empty non-terminal: it blocks the wildcard (NODATA, not a match).
  EXPECT_EQ(ask(zs, "host2.example.", RRType::MX).result.kind, AnswerKind::nodata);
  // Below a delegation: referral, not wildcard.
  EXPECT_EQ(ask(zs, "host.subdel.example.", RRType::A).result.kind, AnswerKind::referral);
  // ghost.*.example: closest encloser is *.example, which has no "*" child.
  EXPECT_EQ(ask(zs, "ghost.*.example.", RRType::MX).result.kind, AnswerKind::nxdomain);
  // The wildcard asked literally.
  Reply lit = ask(zs, "*.example.", RRType::TXT);
  EXPECT_EQ(lit.msg.answers.size(), 1u);
  EXPECT_EQ(lit.msg.answers[0].name, N("*.example."));
}

TEST(Cname, ChainsLoopsAndExits) {
  ZoneSet zs;
  ASSERT_TRUE(
      zs.add(test::zone_from_text("$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\n"
                                  "a CNAME b\nb CNAME c\nc A 192.0.2.3\n"
                                  "loop1 CNAME loop2\nloop2 CNAME loop1\n"
                                  "out CNAME www.example.net.\n"
                                  "dangling CNAME nothing\n"
                                  "intochild CNAME host.child\n"
                                  "child NS ns.child\nns.child A 192.0.2.99\n"
                                  "*.wild CNAME c\n",
                                  "example.")));
  Reply chain = ask(zs, "a.example.", RRType::A);
  EXPECT_EQ(chain.msg.answers.size(), 3u);
  EXPECT_EQ(chain.msg.answers[2].type, RRType::A);
  Reply loop = ask(zs, "loop1.example.", RRType::A);
  EXPECT_EQ(loop.msg.answers.size(), 2u);  // each link once, then stop
  EXPECT_EQ(loop.msg.rcode(), Rcode::NOERROR);
  Reply out = ask(zs, "out.example.", RRType::A);
  EXPECT_EQ(out.msg.answers.size(), 1u);  // the resolver continues outside the zone
  EXPECT_TRUE(out.msg.authorities.empty());
  // RFC 6604: the RCODE describes the end of the chain.
  Reply dangling = ask(zs, "dangling.example.", RRType::A);
  EXPECT_EQ(dangling.msg.rcode(), Rcode::NXDOMAIN);
  EXPECT_EQ(dangling.msg.answers.size(), 1u);
  EXPECT_TRUE(dangling.msg.header.aa);
  Reply child = ask(zs, "intochild.example.", RRType::A);
  EXPECT_TRUE(child.msg.header.aa);
  EXPECT_EQ(child.msg.answers.size(), 1u);
  EXPECT_EQ(lines(child.msg.authorities),
            std::vector<std::string>{"child.example.\t60\tIN\tNS\tns.child.example."});
  EXPECT_EQ(child.msg.additionals.size(), 1u);
  Reply wild = ask(zs, "x.wild.example.", RRType::A);
  EXPECT_EQ(lines(wild.msg.answers), (std::vector<std::string>{"x.wild.example.\t60\tIN\tCNAME\tc.example.",
                                                               "c.example.\t60\tIN\tA\t192.0.2.3"}));
}

TEST(ZoneSet, ClosestEnclosingZone) {
  ZoneSet zs = textbook();
  EXPECT_EQ(zs.find(N("www.networkutopia.com."))->origin(), N("networkutopia.com."));
  EXPECT_EQ(zs.find(N("NETWORKUTOPIA.com."))->origin(), N("networkutopia.com."));
  EXPECT_EQ(zs.find(N("example.com."))->origin(), N("com."));
  EXPECT_EQ(zs.find(N("example.org."))->origin(), N("."));
  EXPECT_FALSE(zs.add(test::example_zone("com.zone", "com.")));
  ZoneSet only;
  ASSERT_TRUE(only.add(test::example_zone("com.zone", "com.")));
  EXPECT_EQ(only.find(N("org.")), nullptr);
}

TEST(Transfer, AxfrStreamsSoaFirstAndLast) {
  Zone nu = test::example_zone("networkutopia.com.zone", "networkutopia.com.");
  auto qw = test::encode(make_query(77, N("networkutopia.com."), RRType::AXFR, false, std::nullopt));
  ParsedQuery q = parse_query(qw);
  for (std::size_t bufsize : {65535u, 120u}) {
    AxfrStream s(nu, q);
    std::vector<ResourceRecord> all;
    std::vector<std::uint8_t> buf(bufsize);
    int messages = 0;
    while (!s.done()) {
      auto n = s.next(buf);
      ASSERT_TRUE(n) << n.error().to_string();
      auto m = decode_message(std::span(buf).first(*n));
      ASSERT_TRUE(m) << m.error().to_string();
      EXPECT_EQ(m->header.id, 77);
      EXPECT_TRUE(m->header.aa);
      EXPECT_EQ(m->questions.size(), messages == 0 ? 1u : 0u);
      all.insert(all.end(), m->answers.begin(), m->answers.end());
      ++messages;
    }
    if (bufsize == 65535) {
      EXPECT_EQ(messages, 1);
    } else {
      EXPECT_GT(messages, 2);
    }
    ASSERT_EQ(all.size(), nu.record_count() + 1);
    EXPECT_EQ(all.front().type, RRType::SOA);
    EXPECT_EQ(all.back().type, RRType::SOA);
    auto expected = nu.records();
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(all[i], expected[i]) << i;
  }
  AxfrStream tiny(nu, q);
  std::vector<std::uint8_t> buf(40);
  EXPECT_FALSE(tiny.next(buf));
}

TEST(Transfer, NotifyMessage) {
  Zone nu = test::example_zone("networkutopia.com.zone", "networkutopia.com.");
  std::vector<std::uint8_t> buf(512);
  auto n = make_notify(nu, 99, buf);
  ASSERT_TRUE(n);
  auto m = decode_message(std::span(buf).first(*n));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.opcode, Opcode::NOTIFY);
  EXPECT_TRUE(m->header.aa);
  EXPECT_FALSE(m->header.qr);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].type, RRType::SOA);
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(std::get<rdata::Soa>(m->answers[0].rdata).serial, 2024010101u);
}

TEST(Serial, Rfc1982Arithmetic) {
  EXPECT_EQ(compare_serial(1, 1), SerialOrder::equal);
  EXPECT_EQ(compare_serial(1, 2), SerialOrder::less);
  EXPECT_EQ(compare_serial(2, 1), SerialOrder::greater);
  EXPECT_EQ(compare_serial(0xFFFFFFFF, 0), SerialOrder::less);  // wraps
  EXPECT_EQ(compare_serial(0, 0xFFFFFFFF), SerialOrder::greater);
  EXPECT_EQ(compare_serial(0, 0x80000000), SerialOrder::undefined);
  EXPECT_EQ(compare_serial(0, 0x7FFFFFFF), SerialOrder::less);
  EXPECT_TRUE(serial_newer(5, 0xFFFFFFF0));
  EXPECT_EQ(serial_add(0xFFFFFFFF, 1), 0u);
  EXPECT_EQ(serial_add(0, 0xFFFFFFFF), 0x7FFFFFFFu);
}

}  // namespace
}  // namespace endhost::dns
