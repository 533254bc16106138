// NOTIFY responses and NOTAUTH/REFUSED transfer answers: header-only messages echoing the question.
#include <gtest/gtest.h>

#include "dns/server/bare_response.hpp"
#include "dns/server/secondary.hpp"
#include "test_util.hpp"

namespace endhost::dns::server {
namespace {

using test::N;

TEST(BareResponse, EchoesIdOpcodeAndQuestion) {
  Message notify;
  notify.header.id = 777;
  notify.header.opcode = Opcode::NOTIFY;
  notify.header.aa = true;
  notify.questions.push_back({N("example.com."), RRType::SOA, RRClass::IN});
  auto w = test::wire(notify);
  ParsedQuery q = parse_query(w);
  ASSERT_EQ(q.verdict, QueryVerdict::notimp);  // the answer engine does not serve NOTIFY
  ASSERT_TRUE(q.has_question);
  std::array<std::uint8_t, 512> out{};
  std::size_t n = write_bare_response(q, Rcode::NOERROR, true, out);
  ASSERT_GT(n, 0u);
  auto m = decode_message(std::span(out.data(), n));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.id, 777);
  EXPECT_TRUE(m->header.qr);
  EXPECT_TRUE(m->header.aa);
  EXPECT_EQ(m->header.opcode, Opcode::NOTIFY);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name, N("example.com."));
  Rcode rcode = Rcode::SERVFAIL;
  EXPECT_TRUE(is_notify_response(std::span(out.data(), n), 777, rcode));
  EXPECT_EQ(rcode, Rcode::NOERROR);
  EXPECT_FALSE(is_notify_response(std::span(out.data(), n), 778, rcode));
}

TEST(BareResponse, TooSmallABufferWritesNothing) {
  ParsedQuery q;
  q.has_question = true;
  q.qname = N("a-rather-long-label-to-overflow.example.com.");
  std::array<std::uint8_t, 20> out{};
  EXPECT_EQ(write_bare_response(q, Rcode::REFUSED, false, out), 0u);
}

TEST(SecondarySpec, ParsesZoneAndPrimary) {
  auto s = parse_secondary_spec("example.com=192.0.2.1:5300");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->origin, N("example.com."));
  EXPECT_EQ(s->primary.to_string(), "192.0.2.1");
  EXPECT_EQ(s->port, 5300);
  auto v6 = parse_secondary_spec("example.com.=[::1]");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->port, 53);
  for (const char* bad :
       {"example.com", "=1.2.3.4", "example.com=ns1.example.com:53", "example.com=1.2.3.4:99999"}) {
    auto r = parse_secondary_spec(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("ZONE=PRIMARY"), std::string::npos) << r.error();
  }
}

TEST(SecondarySpec, NamesATsigKey) {
  auto s = parse_secondary_spec("example.com=[::1]:5300,key=xfr-key");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->port, 5300);
  ASSERT_TRUE(s->key_name);
  EXPECT_EQ(*s->key_name, N("xfr-key."));
  EXPECT_FALSE(parse_secondary_spec("example.com=192.0.2.1").value_or(SecondarySpec{}).key_name);
  for (const char* bad : {"example.com=192.0.2.1,key=", "example.com=192.0.2.1,tsig=k"}) {
    auto r = parse_secondary_spec(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("key=KEYNAME"), std::string::npos) << r.error();
  }
}

}  // namespace
}  // namespace endhost::dns::server
