// The secondary's checks on an incoming AXFR stream (RFC 5936 §2.2): what it installs and what it refuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "dns/journal.hpp"
#include "dns/query.hpp"
#include "dns/server/axfr_collector.hpp"
#include "dns/transfer.hpp"
#include "dns/zone_parser.hpp"
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

// IXFR (RFC 1995 §4): the primary's IxfrStream fed to the secondary's collector turns the old copy into
// the new version, record for record.
std::string ixfr_version(std::uint32_t serial, std::string_view body) {
  return "$TTL 300\nexample.com. SOA ns1.example.com. hm.example.com. " + std::to_string(serial) +
         " 3600 600 86400 300\nexample.com. NS ns1.example.com.\nns1.example.com. A 192.0.2.53\n" +
         std::string(body);
}

std::vector<std::string> sorted_lines(const std::vector<ResourceRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(to_string(r));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<std::uint8_t>> ixfr_messages(const Zone& now, std::span<const ZoneDelta> deltas,
                                                     std::uint32_t client_serial) {
  Message q = make_query(kId, N("example.com."), RRType::IXFR, false, std::nullopt);
  q.authorities.push_back(rr("example.com.", RRType::SOA, test::soa(client_serial)));
  auto wire = test::wire(q);
  ParsedQuery pq = parse_query(wire);
  EXPECT_EQ(pq.verdict, QueryVerdict::answer) << pq.reason;
  IxfrStream s(now, deltas, pq);
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> buf(150);  // several messages
  while (!s.done()) {
    auto n = s.next(buf);
    EXPECT_TRUE(n.has_value());
    if (!n) break;
    out.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  return out;
}

Zone zone_of(std::string_view text) {
  ZoneParseOptions o;
  o.origin = N("example.com.");
  auto z = load_zone(text, "test.zone", o);
  EXPECT_TRUE(z.has_value());
  return std::move(*z);
}

TEST(IxfrCollector, AppliesTheDifferencesToTheCurrentCopy) {
  std::string t1 = ixfr_version(1, "a.example.com. A 192.0.2.1\ngone.example.com. TXT \"x\"\n");
  std::string t2 = ixfr_version(2, "a.example.com. A 192.0.2.2\n");
  std::string t3 = ixfr_version(3, "a.example.com. A 192.0.2.2\nb.example.com. A 192.0.2.3\n");
  Zone v1 = zone_of(t1), v2 = zone_of(t2), v3 = zone_of(t3);
  auto j = ZoneJournal::extend(nullptr, diff_zones(v1, v2), {});
  j = ZoneJournal::extend(j.get(), diff_zones(v2, v3), {});
  AxfrCollector c(N("example.com."), kId, 100, test::records_from_text(t1, "example.com."));
  auto messages = ixfr_messages(v3, *j->from(1), 1);
  ASSERT_GT(messages.size(), 1u);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(c.feed(messages[i]), i + 1 == messages.size() ? Status::done : Status::more) << c.error();
  }
  EXPECT_TRUE(c.incremental());
  EXPECT_EQ(c.serial(), 3u);
  EXPECT_EQ(sorted_lines(c.records()), sorted_lines(test::records_from_text(t3, "example.com.")));
  EXPECT_EQ(c.records().front().type, RRType::SOA);
}

TEST(IxfrCollector, UpToDateAndAxfrFormAnswers) {
  std::string t1 = ixfr_version(1, "a.example.com. A 192.0.2.1\n");
  std::string t2 = ixfr_version(2, "a.example.com. A 192.0.2.2\n");
  Zone v2 = zone_of(t2);
  // The SOA alone: our copy is current.
  AxfrCollector same(N("example.com."), kId, 100, test::records_from_text(t2, "example.com."));
  auto soa_only = ixfr_messages(v2, {}, 2);
  ASSERT_EQ(soa_only.size(), 1u);
  EXPECT_EQ(same.feed(soa_only[0]), Status::done);
  EXPECT_TRUE(same.up_to_date());
  // The whole zone in AXFR form (the primary does not know serial 1's way forward).
  Message q = make_query(kId, N("example.com."), RRType::IXFR, false, std::nullopt);
  q.authorities.push_back(rr("example.com.", RRType::SOA, test::soa(1)));
  auto wire = test::wire(q);
  AxfrStream whole(v2, parse_query(wire));
  std::vector<std::uint8_t> buf(65535);
  auto n = whole.next(buf);
  ASSERT_TRUE(n.has_value());
  AxfrCollector c(N("example.com."), kId, 100, test::records_from_text(t1, "example.com."));
  EXPECT_EQ(c.feed(std::span(buf).first(*n)), Status::done) << c.error();
  EXPECT_FALSE(c.incremental());
  EXPECT_EQ(sorted_lines(c.records()), sorted_lines(test::records_from_text(t2, "example.com.")));
}

TEST(IxfrCollector, RefusesDifferencesThatDoNotApply) {
  std::string t1 = ixfr_version(1, "a.example.com. A 192.0.2.1\n");
  std::string t2 = ixfr_version(2, "a.example.com. A 192.0.2.2\n");
  Zone v1 = zone_of(t1), v2 = zone_of(t2);
  auto j = ZoneJournal::extend(nullptr, diff_zones(v1, v2), {});
  // Our copy at serial 1 lacks the record the primary deletes.
  AxfrCollector c(N("example.com."), kId, 100, test::records_from_text(ixfr_version(1, ""), "example.com."));
  Status last = Status::more;
  for (const auto& m : ixfr_messages(v2, *j->from(1), 1)) last = c.feed(m);
  EXPECT_EQ(last, Status::failed);
  EXPECT_NE(c.error().find("deletes a record"), std::string::npos) << c.error();
}

}  // namespace
}  // namespace endhost::dns::server
