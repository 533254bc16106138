#include "dns/journal.hpp"

#include <algorithm>

#include "dns/compression.hpp"
#include "dns/rdata.hpp"
#include "dns/wire_writer.hpp"
#include "dns/zone.hpp"

namespace endhost::dns {

namespace {

JournalRecord record_of(NameView owner, const RRset& set, std::size_t i) {
  auto rd = set.rdata(i);
  return JournalRecord{Name(owner), set.type(), set.ttl(), std::vector<std::uint8_t>(rd.begin(), rd.end())};
}

bool contains(const RRset* set, Ttl ttl, std::span<const std::uint8_t> rdata) {
  if (!set || set->ttl().seconds != ttl.seconds) return false;
  for (std::size_t i = 0; i < set->size(); ++i) {
    auto other = set->rdata(i);
    if (std::equal(other.begin(), other.end(), rdata.begin(), rdata.end())) return true;
  }
  return false;
}

// Every record of `from` (but the SOA) that `to` does not hold, appended to `out`.
void missing_from(const Zone& from, const Zone& to, std::vector<JournalRecord>& out) {
  for (const Node* n : from.nodes()) {
    const Node* other = to.find(n->name);
    for (const RRset& set : n->rrsets) {
      if (set.type() == RRType::SOA) continue;
      const RRset* peer = other ? other->find(set.type()) : nullptr;
      for (std::size_t i = 0; i < set.size(); ++i) {
        if (!contains(peer, set.ttl(), set.rdata(i))) out.push_back(record_of(n->name, set, i));
      }
    }
  }
}

}  // namespace

ZoneDelta diff_zones(const Zone& before, const Zone& after) {
  ZoneDelta d;
  d.old_soa = record_of(before.origin(), before.soa_rrset(), 0);
  d.new_soa = record_of(after.origin(), after.soa_rrset(), 0);
  d.from_serial = before.soa().serial;
  d.to_serial = after.soa().serial;
  missing_from(before, after, d.removed);
  missing_from(after, before, d.added);
  return d;
}

std::shared_ptr<const ZoneJournal> ZoneJournal::extend(const ZoneJournal* previous, ZoneDelta delta,
                                                       const JournalLimits& limits) {
  auto j = std::make_shared<ZoneJournal>();
  // Only a history that leads to the delta's starting version can be continued.
  if (previous && !previous->deltas_.empty() && previous->deltas_.back().to_serial == delta.from_serial) {
    j->deltas_ = previous->deltas_;
    j->records_ = previous->records_;
  }
  j->records_ += delta.records();
  j->deltas_.push_back(std::move(delta));
  std::size_t drop = 0;
  while (drop < j->deltas_.size() &&
         (j->deltas_.size() - drop > limits.max_deltas || j->records_ > limits.max_records)) {
    j->records_ -= j->deltas_[drop].records();
    ++drop;
  }
  j->deltas_.erase(j->deltas_.begin(), j->deltas_.begin() + static_cast<std::ptrdiff_t>(drop));
  return j;
}

std::optional<std::span<const ZoneDelta>> ZoneJournal::from(std::uint32_t serial) const {
  for (std::size_t i = 0; i < deltas_.size(); ++i) {
    if (deltas_[i].from_serial == serial) return std::span<const ZoneDelta>(deltas_).subspan(i);
  }
  return std::nullopt;
}

bool write_journal_record(WireWriter& w, CompressionTable& table, const JournalRecord& r) {
  auto mark = w.mark(&table);
  w.name(r.owner, &table);
  w.u16(to_underlying(r.type));
  w.u16(to_underlying(RRClass::IN));
  w.u32(r.ttl.seconds);
  std::size_t len_at = w.size();
  w.u16(0);
  write_stored_rdata(w, r.type, r.rdata, &table);
  if (!w.ok()) {
    w.rewind(mark, &table);
    return false;
  }
  w.patch_u16(len_at, static_cast<std::uint16_t>(w.size() - len_at - 2));
  return true;
}

}  // namespace endhost::dns
