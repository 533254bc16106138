// The secondary's checks on an incoming AXFR stream (RFC 5936 §2.2): what it installs and what it refuses.
#include <gtest/gtest.h>

#include "dns/server/axfr_collector.hpp"
#include "dns/transfer.hpp"
#include "test_util.hpp"

namespace endhost::dns::server {
namespace {

using test::N;
using test::rr;
using Status = AxfrCollector::Status;

constexpr std::uint16_t kId = 4242;

Message response(std::vector<ResourceRecord> answers, bool question = false, std::uint16_t id = kId) {
  Message m;
  m.header.id = id;
  m.header.qr = true;
  m.header.aa = true;
  if (question) m.questions.push_back({N("example.com."), RRType::AXFR, RRClass::IN});
  m.answers = std::move(answers);
  return m;
}

ResourceRecord soa(std::uint32_t serial) {
  return rr("example.com.", RRType::SOA, test::soa(serial));
}

TEST(AxfrCollector, CollectsAcrossMessagesUntilTheClosingSoa) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(c.feed(test::wire(
                response({soa(7), rr("example.com.", RRType::NS, rdata::Ns{N("ns1.example.com.")})}, true))),
            Status::more);
  EXPECT_EQ(c.feed(test::wire(response({rr("ns1.example.com.", RRType::A, test::a(192, 0, 2, 1))}))),
            Status::more);
  EXPECT_EQ(c.feed(test::wire(response({rr("www.example.com.", RRType::A, test::a(192, 0, 2, 2)), soa(7)}))),
            Status::done);
  EXPECT_EQ(c.serial(), 7u);
  EXPECT_EQ(c.messages(), 3u);
  auto records = c.take_records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records.front().type, RRType::SOA);
  EXPECT_EQ(records.back().name, N("www.example.com."));
}

TEST(AxfrCollector, AcceptsWhatAxfrStreamProduces) {
  // The server's own AxfrStream and the secondary's collector must agree, including for a zone large enough
  // to need several messages.
  std::string text =
      "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 99 3600 600 86400 300\n@ NS ns1\n"
      "ns1 A 192.0.2.1\n";
  for (int i = 0; i < 3000; ++i)
    text += "host" + std::to_string(i) + " A 192.0.2." + std::to_string(i % 250) + "\n";
  auto zone = build_zone(N("example.com."), test::records_from_text(text, "example.com."));
  ASSERT_TRUE(zone) << zone.error();
  ParsedQuery q;
  q.header.id = kId;
  q.has_question = true;
  q.qname = N("example.com.");
  q.qtype = RRType::AXFR;
  AxfrStream stream(*zone, q);
  AxfrCollector c(N("example.com."), kId, 10'000);
  std::vector<std::uint8_t> buf(65535);
  std::size_t messages = 0;
  while (!stream.done()) {
    auto n = stream.next(buf);
    ASSERT_TRUE(n);
    if (*n == 0) break;
    ++messages;
    c.feed(std::span(buf.data(), *n));
  }
  EXPECT_GT(messages, 1u);
  ASSERT_EQ(c.status(), Status::done) << c.error();
  EXPECT_EQ(c.records().size(), zone->record_count());
  auto rebuilt = build_zone(N("example.com."), c.records());
  ASSERT_TRUE(rebuilt) << rebuilt.error();
  EXPECT_EQ(rebuilt->record_count(), zone->record_count());
}

TEST(AxfrCollector, RefusesAWrongId) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(c.feed(test::wire(response({soa(1)}, true, kId + 1))), Status::failed);
  EXPECT_NE(c.error().find("ID"), std::string::npos);
}

TEST(AxfrCollector, RefusesAnErrorRcode) {
  AxfrCollector c(N("example.com."), kId, 100);
  auto m = response({}, true);
  m.set_rcode(Rcode::REFUSED);
  EXPECT_EQ(c.feed(test::wire(m)), Status::failed);
  EXPECT_NE(c.error().find("REFUSED"), std::string::npos);
}

TEST(AxfrCollector, RefusesAStreamNotStartingWithTheSoa) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(c.feed(test::wire(response({rr("www.example.com.", RRType::A, test::a(1, 2, 3, 4))}))),
            Status::failed);
}

TEST(AxfrCollector, RefusesAnotherZonesQuestion) {
  AxfrCollector c(N("example.com."), kId, 100);
  auto m = response({soa(1)});
  m.questions.push_back({N("example.org."), RRType::AXFR, RRClass::IN});
  EXPECT_EQ(c.feed(test::wire(m)), Status::failed);
}

TEST(AxfrCollector, RefusesAChangedSerialAtTheEnd) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(c.feed(test::wire(response({soa(1), soa(2)}))), Status::failed);
  EXPECT_TRUE(c.records().empty());
}

TEST(AxfrCollector, RefusesRecordsAfterTheClosingSoa) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(
      c.feed(test::wire(response({soa(1), soa(1), rr("a.example.com.", RRType::A, test::a(1, 1, 1, 1))}))),
      Status::failed);
  AxfrCollector d(N("example.com."), kId, 100);
  EXPECT_EQ(d.feed(test::wire(response({soa(1), soa(1)}))), Status::done);
  EXPECT_EQ(d.feed(test::wire(response({rr("a.example.com.", RRType::A, test::a(1, 1, 1, 1))}))),
            Status::failed);
}

TEST(AxfrCollector, EnforcesTheRecordLimit) {
  AxfrCollector c(N("example.com."), kId, 3);
  std::vector<ResourceRecord> many{soa(1)};
  for (std::uint8_t i = 0; i < 5; ++i) many.push_back(rr("h.example.com.", RRType::A, test::a(10, 0, 0, i)));
  EXPECT_EQ(c.feed(test::wire(response(many))), Status::failed);
  EXPECT_NE(c.error().find("--max-zone-records"), std::string::npos);
}

TEST(AxfrCollector, IgnoresOutOfZoneRecords) {
  AxfrCollector c(N("example.com."), kId, 100);
  EXPECT_EQ(c.feed(test::wire(response({soa(1), rr("victim.org.", RRType::A, test::a(6, 6, 6, 6)), soa(1)}))),
            Status::done);
  EXPECT_EQ(c.ignored(), 1u);
  EXPECT_EQ(c.records().size(), 1u);
}

TEST(AxfrCollector, RefusesGarbage) {
  AxfrCollector c(N("example.com."), kId, 100);
  std::vector<std::uint8_t> junk{0x10, 0x92, 0x84, 0x00, 0x00, 0x00, 0x00, 0x05};
  EXPECT_EQ(c.feed(junk), Status::failed);
}

}  // namespace
}  // namespace endhost::dns::server
