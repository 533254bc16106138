#include "dns/transfer.hpp"

#include <algorithm>
#include <array>

#include "dns/compression.hpp"
#include "dns/header.hpp"
#include "dns/rdata.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns {

namespace {

bool write_record(WireWriter& w, CompressionTable& t, NameView owner, const RRset& set, std::size_t i) {
  auto mark = w.mark(&t);
  w.name(owner, &t);
  w.u16(to_underlying(set.type()));
  w.u16(to_underlying(RRClass::IN));
  w.u32(set.ttl().seconds);
  std::size_t len_at = w.size();
  w.u16(0);
  write_stored_rdata(w, set.type(), set.rdata(i), &t);
  if (!w.ok()) {
    w.rewind(mark, &t);
    return false;
  }
  w.patch_u16(len_at, static_cast<std::uint16_t>(w.size() - len_at - 2));
  return true;
}

// The start of every message of a transfer: room for the header, and the question in the first message
// (RFC 5936 §2.2.1; RFC 1995 §4 keeps that form). Returns the header to finish once the records are in.
Header begin_transfer_message(WireWriter& w, CompressionTable& table, const ParsedQuery& query,
                              bool first_message) {
  w.bytes(std::array<std::uint8_t, kHeaderSize>{});
  Header h;
  h.id = query.header.id;
  h.qr = true;
  h.aa = true;
  h.opcode = query.header.opcode;
  if (first_message && query.has_question) {
    w.name(query.qname, &table);
    w.u16(to_underlying(query.qtype));
    w.u16(to_underlying(query.qclass));
    h.qdcount = 1;
  }
  return h;
}

}  // namespace

Result<std::size_t> AxfrStream::next(std::span<std::uint8_t> out) {
  if (phase_ == Phase::done) return std::size_t{0};
  std::size_t limit = std::min(out.size(), kMaxMessageSize);
  if (limit < kHeaderSize) return fail(Errc::buffer_full, "buffer smaller than a header");
  WireWriter w(out.first(limit));
  CompressionTable table;
  Header h = begin_transfer_message(w, table, query_, first_message_);
  std::size_t count = 0;
  const auto nodes = zone_->nodes();
  auto emit = [&](NameView owner, const RRset& set, std::size_t i) {
    if (write_record(w, table, owner, set, i)) {
      ++count;
      return true;
    }
    return false;
  };
  while (phase_ != Phase::done) {
    if (phase_ == Phase::first_soa || phase_ == Phase::last_soa) {
      if (!emit(zone_->origin(), zone_->soa_rrset(), 0)) break;
      phase_ = phase_ == Phase::first_soa ? Phase::body : Phase::done;
      continue;
    }
    if (node_ == nodes.size()) {
      phase_ = Phase::last_soa;
      continue;
    }
    const Node* n = nodes[node_];
    if (rrset_ == n->rrsets.size()) {
      ++node_;
      rrset_ = record_ = 0;
      continue;
    }
    const RRset& set = n->rrsets[rrset_];
    if (set.type() == RRType::SOA || record_ == set.size()) {
      ++rrset_;
      record_ = 0;
      continue;
    }
    if (!emit(n->name, set, record_)) break;
    ++record_;
  }
  if (count == 0 && phase_ != Phase::done)
    return fail(Errc::buffer_full, "a record does not fit an AXFR message");
  first_message_ = false;
  h.ancount = static_cast<std::uint16_t>(count);
  encode_header(h, out);
  return w.size();
}

IxfrStream::IxfrStream(const Zone& zone, std::span<const ZoneDelta> deltas, const ParsedQuery& query)
    : query_(query) {
  auto rd = zone.soa_rrset().rdata(0);
  current_soa_ = JournalRecord{zone.origin(), RRType::SOA, zone.soa_rrset().ttl(),
                               std::vector<std::uint8_t>(rd.begin(), rd.end())};
  sequence_.push_back(nullptr);  // the current SOA
  if (deltas.empty()) return;    // up to date: the SOA alone
  for (const ZoneDelta& d : deltas) {
    sequence_.push_back(&d.old_soa);
    for (const auto& r : d.removed) sequence_.push_back(&r);
    sequence_.push_back(&d.new_soa);
    for (const auto& r : d.added) sequence_.push_back(&r);
  }
  sequence_.push_back(nullptr);
}

Result<std::size_t> IxfrStream::next(std::span<std::uint8_t> out) {
  if (done()) return std::size_t{0};
  std::size_t limit = std::min(out.size(), kMaxMessageSize);
  if (limit < kHeaderSize) return fail(Errc::buffer_full, "buffer smaller than a header");
  WireWriter w(out.first(limit));
  CompressionTable table;
  Header h = begin_transfer_message(w, table, query_, first_message_);
  std::size_t count = 0;
  while (!done() && write_journal_record(w, table, sequence_[at_] ? *sequence_[at_] : current_soa_)) {
    ++at_;
    ++count;
  }
  if (count == 0) return fail(Errc::buffer_full, "a record does not fit an IXFR message");
  if (!w.ok()) return fail(Errc::buffer_full, "the IXFR question does not fit");
  first_message_ = false;
  h.ancount = static_cast<std::uint16_t>(count);
  encode_header(h, out);
  return w.size();
}

bool IxfrStream::fits_in(std::size_t limit) const {
  IxfrStream copy(*this);
  copy.at_ = 0;
  copy.first_message_ = true;
  std::vector<std::uint8_t> buf(std::min(limit, kMaxMessageSize));
  auto n = copy.next(buf);
  return n && copy.done();
}

Result<std::size_t> make_notify(const Zone& zone, std::uint16_t id, std::span<std::uint8_t> out) {
  if (out.size() < kHeaderSize) return fail(Errc::buffer_full, "buffer smaller than a header");
  WireWriter w(out.first(std::min(out.size(), kMaxMessageSize)));
  CompressionTable table;
  w.bytes(std::array<std::uint8_t, kHeaderSize>{});
  w.name(zone.origin(), &table);
  w.u16(to_underlying(RRType::SOA));
  w.u16(to_underlying(RRClass::IN));
  if (!write_record(w, table, zone.origin(), zone.soa_rrset(), 0) || !w.ok())
    return fail(Errc::buffer_full, "NOTIFY does not fit the buffer");
  Header h;
  h.id = id;
  h.opcode = Opcode::NOTIFY;
  h.aa = true;
  h.qdcount = 1;
  h.ancount = 1;
  encode_header(h, out);
  return w.size();
}

}  // namespace endhost::dns
