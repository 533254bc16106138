// Wire codec: header bits, every RDATA type round-trips, compression in both directions, hostile input.
#include <gtest/gtest.h>

#include <algorithm>

#include "dns/address.hpp"
#include "dns/message.hpp"
#include "dns/wire_reader.hpp"
#include "dns/wire_writer.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::bytes;
using test::N;

TEST(Header, EveryBitRoundTrips) {
  Header h;
  h.id = 0xBEEF;
  h.qr = h.aa = h.tc = h.rd = h.ra = h.z = h.ad = h.cd = true;
  h.opcode = Opcode::UPDATE;
  h.rcode = 0xA;
  h.qdcount = 1;
  h.ancount = 2;
  h.nscount = 3;
  h.arcount = 0xFFFF;
  std::uint8_t buf[12];
  encode_header(h, buf);
  EXPECT_EQ(buf[2], 0x80 | (5 << 3) | 0x04 | 0x02 | 0x01);
  EXPECT_EQ(buf[3], 0x80 | 0x40 | 0x20 | 0x10 | 0x0A);
  EXPECT_EQ(decode_header(buf), h);
  for (int bit = 0; bit < 16; ++bit) {
    std::uint8_t b[12] = {};
    b[2 + bit / 8] = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    std::uint8_t out[12];
    encode_header(decode_header(b), out);
    EXPECT_EQ(std::vector<std::uint8_t>(b, b + 12), std::vector<std::uint8_t>(out, out + 12)) << bit;
  }
}

ResourceRecord rr(std::string_view owner, RRType t, Rdata rd, std::uint32_t ttl = 300) {
  return ResourceRecord{N(owner), t, RRClass::IN, Ttl{ttl}, std::move(rd)};
}

Message sample_message() {
  Message m = make_query(0x1234, N("www.example.com."), RRType::A, true, std::nullopt);
  m.header.qr = true;
  m.header.aa = true;
  m.answers.push_back(rr("www.example.com.", RRType::A, rdata::A{{192, 0, 2, 1}}));
  m.answers.push_back(rr("www.example.com.", RRType::AAAA, rdata::Aaaa{*parse_ipv6("2001:db8::1")}));
  m.answers.push_back(rr("example.com.", RRType::NS, rdata::Ns{N("ns1.example.com.")}));
  m.answers.push_back(rr("alias.example.com.", RRType::CNAME, rdata::Cname{N("www.example.com.")}));
  m.answers.push_back(
      rr("example.com.", RRType::SOA,
         rdata::Soa{N("ns1.example.com."), N("hostmaster.example.com."), 2024, 3600, 900, 604800, 300}));
  m.answers.push_back(rr("1.2.0.192.in-addr.arpa.", RRType::PTR, rdata::Ptr{N("www.example.com.")}));
  m.answers.push_back(rr("example.com.", RRType::MX, rdata::Mx{10, N("mail.example.com.")}));
  m.answers.push_back(
      rr("example.com.", RRType::TXT, rdata::Txt{{"v=spf1 -all", "", std::string("\0\"\\", 3)}}));
  m.answers.push_back(
      rr("_sip._udp.example.com.", RRType::SRV, rdata::Srv{1, 2, 5060, N("sip.example.com.")}));
  m.authorities.push_back(
      rr("example.com.", static_cast<RRType>(65280), rdata::Unknown{{1, 2, 3, 0xC0, 0x0C}}));
  m.authorities.push_back(rr("example.com.", RRType::DS, rdata::Unknown{{0xAB, 0xCD}}));
  m.additionals.push_back(rr("ns1.example.com.", RRType::A, rdata::A{{192, 0, 2, 53}}));
  m.additionals.push_back(rr("empty.example.com.", static_cast<RRType>(99), rdata::Unknown{}));
  Edns e;
  e.udp_payload = 4096;
  e.dnssec_ok = true;
  e.flags = 0x1234 & 0x7FFF;
  e.options.push_back(EdnsOption{10, {1, 2, 3, 4, 5, 6, 7, 8}});
  m.edns = e;
  return m;
}

TEST(Message, EveryTypeRoundTrips) {
  Message m = sample_message();
  auto wire = test::encode(m);
  auto back = decode_message(wire);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->header.ancount, m.answers.size());
  EXPECT_EQ(back->header.arcount, m.additionals.size() + 1);
  Message expect = m;
  expect.header = back->header;  // counts are filled in by the encoder
  EXPECT_EQ(*back, expect);
  // And encoding the decoded message gives the same octets.
  EXPECT_EQ(test::encode(*back), wire);
}

TEST(Message, ExtendedRcodeSplitsAcrossHeaderAndOpt) {
  Message m;
  m.set_rcode(Rcode::BADVERS);
  ASSERT_TRUE(m.edns);
  EXPECT_EQ(m.header.rcode, 0);
  EXPECT_EQ(m.edns->extended_rcode, 1);
  auto back = decode_message(test::encode(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rcode(), Rcode::BADVERS);
}

TEST(Compression, EncoderPointsAtEarlierNamesAndNeverInsideSrv) {
  Message m = make_query(1, N("www.example.com."), RRType::A, false, std::nullopt);
  m.answers.push_back(rr("WWW.example.com.", RRType::CNAME, rdata::Cname{N("web.example.com.")}));
  m.answers.push_back(rr("_x._tcp.example.com.", RRType::SRV, rdata::Srv{0, 0, 1, N("web.example.com.")}));
  auto w = test::encode(m);
  // Question name at 12 (17 octets); answer owner is a bare pointer to it (case-insensitive match).
  std::size_t ans = 12 + 17 + 4;
  EXPECT_EQ(w[ans], 0xC0);
  EXPECT_EQ(w[ans + 1], 12);
  // CNAME RDATA: "web" + pointer to "example.com." at offset 16 → RDLENGTH 6.
  std::size_t rdlen_at = ans + 2 + 8;
  EXPECT_EQ(w[rdlen_at + 1], 6);
  EXPECT_EQ(w[rdlen_at + 2 + 4], 0xC0);
  EXPECT_EQ(w[rdlen_at + 2 + 5], 16);
  // SRV target is written in full even though web.example.com. was written before (RFC 2782).
  auto back = decode_message(w);
  ASSERT_TRUE(back);
  Name web = N("web.example.com.");
  EXPECT_NE(std::search(w.begin(), w.end(), web.wire().begin(), web.wire().end()), w.end());
  EXPECT_EQ(std::get<rdata::Srv>(back->answers[1].rdata).target, N("web.example.com."));
  // Far fewer octets than uncompressed.
  EXPECT_LT(w.size(), 12u + 21 + 2 * 10 + 17 + 17 + 17 + 6 + 17);
}

TEST(Compression, DecoderFollowsPointersIncludingInsideRdata) {
  // Header (1 question, 1 answer), question example.com/MX, answer: ptr-to-question MX 10 mail.<ptr>.
  auto w = bytes({0,   1,   0x81, 0x80, 0,   1,   0,   1, 0,  0,  0,   0,   7,    'e', 'x',  'a', 'm',
                  'p', 'l', 'e',  3,    'c', 'o', 'm', 0, 0,  15, 0,   1,   0xC0, 12,  0,    15,  0,
                  1,   0,   0,    0,    60,  0,   9,   0, 10, 4,  'm', 'a', 'i',  'l', 0xC0, 12});
  auto m = decode_message(w);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].name, N("example.com."));
  EXPECT_EQ(std::get<rdata::Mx>(m->answers[0].rdata).exchange, N("mail.example.com."));
}

std::vector<std::uint8_t> query_with_name(std::initializer_list<int> name_octets) {
  auto w = bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  for (int b : name_octets) w.push_back(static_cast<std::uint8_t>(b));
  w.insert(w.end(), {0, 1, 0, 1});
  return w;
}

Errc decode_error(const std::vector<std::uint8_t>& w) {
  auto m = decode_message(w);
  EXPECT_FALSE(m);
  return m ? Errc::unsupported : m.error().code;
}

TEST(Malformed, CompressionPointerToItselfIsALoop) {
  EXPECT_EQ(decode_error(query_with_name({0xC0, 12})), Errc::bad_pointer);
}

TEST(Malformed, CompressionLoopThroughTwoPointers) {
  // name at 12: "a" then pointer to 12 → would loop; forward pointer variant too.
  EXPECT_EQ(decode_error(query_with_name({1, 'a', 0xC0, 12})), Errc::bad_pointer);
  auto w =
      bytes({0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 'a', 0xC0, 20, 0, 1, 0, 1, 1, 'b', 0xC0, 12, 0, 1, 0, 1});
  EXPECT_EQ(decode_error(w), Errc::bad_pointer);
}

TEST(Malformed, ForwardPointerIsRefused) {
  EXPECT_EQ(decode_error(query_with_name({0xC0, 20, 0, 0, 0, 0, 0, 0})), Errc::bad_pointer);
}

TEST(Malformed, PointerIntoHeaderOrPastEnd) {
  EXPECT_EQ(decode_error(query_with_name({0xC0, 2})), Errc::bad_pointer);
  auto cut = test::bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0});  // pointer cut in half
  EXPECT_EQ(decode_error(cut), Errc::truncated);
}

TEST(Malformed, ExtendedLabelTypes) {
  EXPECT_EQ(decode_error(query_with_name({0x41, 'a', 0})), Errc::bad_label_type);
  EXPECT_EQ(decode_error(query_with_name({0x80, 0})), Errc::bad_label_type);
}

TEST(Malformed, OverlongNameViaPointers) {
  // 4 labels of 63 at offset 12 (no terminator), then the question name = 63-label + pointer to them.
  std::vector<std::uint8_t> w = bytes({0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 3; ++i) {
    w.push_back(63);
    w.insert(w.end(), 63, 'x');
  }
  w.push_back(0);
  w.insert(w.end(), {0, 1, 0, 1});
  w.push_back(63);
  w.insert(w.end(), 63, 'y');
  w.insert(w.end(), {0xC0, 12, 0, 1, 0, 1});
  EXPECT_EQ(decode_error(w), Errc::name_too_long);
}

TEST(Malformed, TruncatedRecordsAndBadCounts) {
  Message m = sample_message();
  auto w = test::encode(m);
  for (std::size_t cut = 0; cut < w.size(); ++cut) {
    std::vector<std::uint8_t> prefix(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(decode_message(prefix)) << "cut at " << cut;
  }
  auto more = w;
  more[7] = static_cast<std::uint8_t>(more[7] + 1);  // ANCOUNT one too many
  EXPECT_FALSE(decode_message(more));
  auto fewer = w;
  fewer[11] = static_cast<std::uint8_t>(fewer[11] - 1);  // ARCOUNT one too few → trailing data
  EXPECT_EQ(decode_error(fewer), Errc::trailing_data);
  auto garbage = w;
  garbage.push_back(0);
  EXPECT_EQ(decode_error(garbage), Errc::trailing_data);
}

TEST(Malformed, RdataLengthMismatch) {
  // An A record with RDLENGTH 5.
  auto w = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5});
  EXPECT_EQ(decode_error(w), Errc::bad_rdata);
  // An NS whose name ends before RDLENGTH.
  auto v = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0});
  EXPECT_EQ(decode_error(v), Errc::bad_rdata);
  // A name inside RDATA may not borrow octets past RDLENGTH.
  auto x = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 1, 0, 2, 1, 'a', 0});
  EXPECT_FALSE(decode_message(x));
}

TEST(Malformed, OptRules) {
  Message m;
  m.edns = Edns{};
  auto w = test::encode(m);
  ASSERT_TRUE(decode_message(w));
  // Two OPTs.
  auto two = w;
  two[11] = 2;
  two.insert(two.end(), w.begin() + 12, w.end());
  EXPECT_EQ(decode_error(two), Errc::duplicate_opt);
  // OPT in the answer section.
  auto ans = w;
  ans[7] = 1;
  ans[11] = 0;
  EXPECT_EQ(decode_error(ans), Errc::misplaced_opt);
  // OPT not owned by the root.
  auto owner = bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'a', 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(decode_error(owner), Errc::misplaced_opt);
}

TEST(Malformed, TxtStringRunsPastRdata) {
  auto w = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 2, 5, 'a'});
  EXPECT_FALSE(decode_message(w));
}

TEST(Encoder, FailsCleanlyWhenTheBufferIsSmall) {
  Message m = sample_message();
  std::vector<std::uint8_t> buf(100);
  auto r = encode_message(m, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::buffer_full);
  Message bad;
  bad.answers.push_back(rr("a.", RRType::A, rdata::Ns{N("b.")}));
  EXPECT_FALSE(encode_message(bad));
  Message longtxt;
  longtxt.answers.push_back(rr("a.", RRType::TXT, rdata::Txt{{std::string(256, 'x')}}));
  EXPECT_FALSE(encode_message(longtxt));
}

TEST(Presentation, DigLikeText) {
  Message m = sample_message();
  std::string text = to_string(m);
  EXPECT_NE(text.find(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660"), std::string::npos) << text;
  EXPECT_NE(text.find(";; flags: qr aa rd;"), std::string::npos);
  EXPECT_NE(text.find("; EDNS: version: 0, flags: do; udp: 4096"), std::string::npos);
  EXPECT_NE(text.find("www.example.com.\t300\tIN\tA\t192.0.2.1\n"), std::string::npos);
  EXPECT_NE(text.find("www.example.com.\t300\tIN\tAAAA\t2001:db8::1\n"), std::string::npos);
  EXPECT_NE(text.find("IN\tSOA\tns1.example.com. hostmaster.example.com. 2024 3600 900 604800 300"),
            std::string::npos);
  EXPECT_NE(text.find("IN\tTXT\t\"v=spf1 -all\" \"\" \"\\000\\\"\\\\\""), std::string::npos) << text;
  EXPECT_NE(text.find("IN\tTYPE65280\t\\# 5 010203c00c"), std::string::npos);
  EXPECT_NE(text.find("IN\tDS\t\\# 2 abcd"), std::string::npos);
  EXPECT_NE(text.find("IN\tTYPE99\t\\# 0"), std::string::npos);
  EXPECT_NE(text.find("IN\tSRV\t1 2 5060 sip.example.com."), std::string::npos);
  EXPECT_NE(text.find(";www.example.com.\t\tIN\tA"), std::string::npos);
}

TEST(Types, NamesAndGenericForms) {
  EXPECT_EQ(to_string(RRType::AAAA), "AAAA");
  EXPECT_EQ(to_string(static_cast<RRType>(65280)), "TYPE65280");
  EXPECT_EQ(rrtype_from_string("aaaa"), RRType::AAAA);
  EXPECT_EQ(rrtype_from_string("TYPE1"), RRType::A);
  EXPECT_EQ(rrtype_from_string("type65535"), static_cast<RRType>(65535));
  EXPECT_FALSE(rrtype_from_string("TYPE65536"));
  EXPECT_FALSE(rrtype_from_string("TYPE"));
  EXPECT_FALSE(rrtype_from_string("BOGUS"));
  EXPECT_EQ(rrclass_from_string("CLASS3"), RRClass::CH);
  EXPECT_EQ(to_string(static_cast<RRClass>(7)), "CLASS7");
}

TEST(Address, Ipv6FormsAndRfc5952Output) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {{"::", "::"},
               {"::1", "::1"},
               {"2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"},
               {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
               {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
               {"::ffff:192.0.2.1", "::ffff:c000:201"},
               {"1::", "1::"}};
  for (auto c : cases) {
    auto a = parse_ipv6(c.in);
    ASSERT_TRUE(a) << c.in;
    EXPECT_EQ(format_ipv6(*a), c.out);
  }
  for (const char* bad : {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7",
                          "1:", "::1.2.3", "1.2.3.4::"}) {
    EXPECT_FALSE(parse_ipv6(bad)) << bad;
  }
  EXPECT_FALSE(parse_ipv4("1.2.3"));
  EXPECT_FALSE(parse_ipv4("1.2.3.256"));
  EXPECT_FALSE(parse_ipv4("1.2.3.4 "));
  EXPECT_FALSE(parse_ipv4("1.2.3.0004"));
  EXPECT_EQ(format_ipv4(*parse_ipv4("212.212.212.1")), "212.212.212.1");
}

}  // namespace
}  // namespace endhost::dns
