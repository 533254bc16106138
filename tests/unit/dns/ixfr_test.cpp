// IXFR on the primary's side (RFC 1995): the journal of zone versions built from reloads, the incremental
// answer streamed from it, and the IXFR request's SOA read by parse_query.
#include <gtest/gtest.h>

#include <algorithm>

#include "dns/journal.hpp"
#include "dns/query.hpp"
#include "dns/transfer.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

Zone version(std::uint32_t serial, std::string_view body) {
  std::string text = "$TTL 300\n@ SOA ns hm " + std::to_string(serial) + " 3600 600 86400 300\n@ NS ns\n" +
                     "ns A 192.0.2.53\n" + std::string(body);
  return test::zone_from_text(text, "example.");
}

std::vector<std::uint8_t> ixfr_query(std::uint32_t serial) {
  Message m = make_query(77, N("example."), RRType::IXFR, false, std::nullopt);
  rdata::Soa soa;
  soa.mname = N("ns.example.");
  soa.rname = N("hm.example.");
  soa.serial = serial;
  m.authorities.push_back(ResourceRecord{N("example."), RRType::SOA, RRClass::IN, Ttl{300}, soa});
  return test::encode(m);
}

std::vector<std::string> stream_lines(IxfrStream& s, std::size_t buffer = 65535) {
  std::vector<std::string> out;
  std::vector<std::uint8_t> buf(buffer);
  while (!s.done()) {
    auto n = s.next(buf);
    EXPECT_TRUE(n.has_value());
    if (!n) break;
    auto m = decode_message(std::span(buf).first(*n));
    EXPECT_TRUE(m.has_value());
    if (!m) break;
    for (const auto& rr : m->answers) {
      out.push_back(rr.type == RRType::SOA ? "SOA " + std::to_string(std::get<rdata::Soa>(rr.rdata).serial)
                                           : to_string(rr));
    }
  }
  return out;
}

TEST(Journal, DiffFindsRemovedAndAddedRecords) {
  Zone v1 = version(1, "www A 192.0.2.1\nold A 192.0.2.9\nttl 60 A 192.0.2.7\n");
  Zone v2 = version(2, "www A 192.0.2.1\nwww A 192.0.2.2\nttl 120 A 192.0.2.7\n");
  ZoneDelta d = diff_zones(v1, v2);
  EXPECT_EQ(d.from_serial, 1u);
  EXPECT_EQ(d.to_serial, 2u);
  ASSERT_EQ(d.removed.size(), 2u);  // old, and ttl's record with its old TTL
  ASSERT_EQ(d.added.size(), 2u);    // www's second address, ttl's record with the new TTL
  EXPECT_EQ(d.removed[0].owner.to_string() + d.removed[1].owner.to_string(), "old.example.ttl.example.");
}

TEST(Journal, ChainsVersionsAndForgetsTheOldestBeyondItsLimits) {
  Zone v1 = version(1, "a A 192.0.2.1\n");
  Zone v2 = version(2, "a A 192.0.2.2\n");
  Zone v3 = version(3, "a A 192.0.2.3\n");
  JournalLimits limits;
  auto j = ZoneJournal::extend(nullptr, diff_zones(v1, v2), limits);
  j = ZoneJournal::extend(j.get(), diff_zones(v2, v3), limits);
  ASSERT_TRUE(j->from(1).has_value());
  EXPECT_EQ(j->from(1)->size(), 2u);
  EXPECT_EQ(j->from(2)->size(), 1u);
  EXPECT_FALSE(j->from(3).has_value()) << "the newest version has no way forward";
  EXPECT_FALSE(j->from(0).has_value());
  JournalLimits one;
  one.max_deltas = 1;
  auto short_history = ZoneJournal::extend(j.get(), diff_zones(v3, version(4, "a A 192.0.2.4\n")), one);
  EXPECT_FALSE(short_history->from(1).has_value());
  EXPECT_TRUE(short_history->from(3).has_value());
  JournalLimits few;
  few.max_records = 3;  // a delta here is 4 records (two SOAs, one removed, one added)
  EXPECT_TRUE(ZoneJournal::extend(nullptr, diff_zones(v1, v2), few)->deltas().empty());
  // A history that does not lead to the delta's starting version is not continued.
  auto gap = ZoneJournal::extend(j.get(), diff_zones(v1, v2), limits);
  EXPECT_EQ(gap->deltas().size(), 1u);
}

TEST(Ixfr, StreamsTheDifferenceSequencesBetweenTwoCurrentSoas) {
  Zone v1 = version(1, "a A 192.0.2.1\n");
  Zone v2 = version(2, "a A 192.0.2.2\n");
  Zone v3 = version(3, "a A 192.0.2.2\nb A 192.0.2.3\n");
  auto j = ZoneJournal::extend(nullptr, diff_zones(v1, v2), {});
  j = ZoneJournal::extend(j.get(), diff_zones(v2, v3), {});
  auto wire = ixfr_query(1);
  ParsedQuery q = parse_query(wire);
  ASSERT_EQ(q.verdict, QueryVerdict::answer) << q.reason;
  ASSERT_TRUE(q.ixfr_serial.has_value());
  EXPECT_EQ(*q.ixfr_serial, 1u);
  IxfrStream s(v3, *j->from(1), q);
  // RFC 1995 §4: new SOA, (old SOA, deletions, new SOA, additions) per version, new SOA.
  std::vector<std::string> want = {
      "SOA 3", "SOA 1", "a.example.\t300\tIN\tA\t192.0.2.1", "SOA 2", "a.example.\t300\tIN\tA\t192.0.2.2",
      "SOA 2", "SOA 3", "b.example.\t300\tIN\tA\t192.0.2.3", "SOA 3"};
  EXPECT_EQ(stream_lines(s), want);
  // Several messages when the buffer is small: the same records in the same order.
  IxfrStream small(v3, *j->from(1), q);
  EXPECT_EQ(stream_lines(small, 120), want);
  IxfrStream again(v3, *j->from(1), q);
  EXPECT_TRUE(again.fits_in(512));
  EXPECT_FALSE(again.fits_in(100));
  // Up to date: the SOA alone.
  IxfrStream current(v3, {}, q);
  EXPECT_EQ(stream_lines(current), std::vector<std::string>{"SOA 3"});
}

TEST(Ixfr, RequestWithoutItsSoaIsFormerr) {
  auto plain = test::encode(make_query(5, N("example."), RRType::IXFR, false, std::nullopt));
  EXPECT_EQ(parse_query(plain).verdict, QueryVerdict::formerr);
  // Other queries still may not carry authority records.
  Message m = make_query(5, N("example."), RRType::A, false, std::nullopt);
  m.authorities.push_back(
      ResourceRecord{N("example."), RRType::A, RRClass::IN, Ttl{1}, rdata::A{{1, 2, 3, 4}}});
  EXPECT_EQ(parse_query(test::encode(m)).verdict, QueryVerdict::formerr);
  // An authority record that is not an SOA.
  Message bad = make_query(5, N("example."), RRType::IXFR, false, std::nullopt);
  bad.authorities = m.authorities;
  EXPECT_EQ(parse_query(test::encode(bad)).verdict, QueryVerdict::formerr);
}

}  // namespace
}  // namespace endhost::dns
