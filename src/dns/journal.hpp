// The history of a zone's versions that IXFR answers from (RFC 1995 §4): each reload that grows the serial
// adds one ZoneDelta (the records removed and added between two versions, found by comparing the two Zones).
// The journal is bounded by a count of deltas and of records; the oldest deltas go first, and a client
// whose serial is older than the oldest kept gets the whole zone in AXFR form (§4) instead. Immutable once
// built (a reload builds the next journal from the previous one), so the loops share it read-only with the
// ZoneSet that holds it. Kept in memory only: a restart starts a new history (docs/internals/dns-server.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

class Zone;
class WireWriter;
class CompressionTable;

// One record of class IN, RDATA in the Zone's stored (uncompressed wire) form.
struct JournalRecord {
  Name owner;
  RRType type = RRType::A;
  Ttl ttl;
  std::vector<std::uint8_t> rdata;
};

// From one version to the next: delete `removed` from the version with `old_soa`, add `added`, and the
// result is the version with `new_soa` (RFC 1995 §4's "difference sequence").
struct ZoneDelta {
  JournalRecord old_soa, new_soa;
  std::uint32_t from_serial = 0, to_serial = 0;
  std::vector<JournalRecord> removed, added;
  std::size_t records() const { return removed.size() + added.size() + 2; }
};

struct JournalLimits {
  std::size_t max_deltas = 64;
  std::size_t max_records = 100'000;  // over all deltas kept
};

// The records of `before` not in `after` and those of `after` not in `before` (a TTL change is a removal and
// an addition), with both SOAs.
ZoneDelta diff_zones(const Zone& before, const Zone& after);

class ZoneJournal {
 public:
  // `previous` (may be null) extended by `delta`, then trimmed to `limits` (the newest delta is always kept
  // unless it alone exceeds max_records, in which case the journal is empty).
  static std::shared_ptr<const ZoneJournal> extend(const ZoneJournal* previous, ZoneDelta delta,
                                                   const JournalLimits& limits);

  // The deltas that lead from `serial` to the newest version, oldest first; nothing when `serial` is not a
  // version the journal knows the way forward from (then the answer is the whole zone, RFC 1995 §4).
  std::optional<std::span<const ZoneDelta>> from(std::uint32_t serial) const;
  std::span<const ZoneDelta> deltas() const { return deltas_; }

 private:
  std::vector<ZoneDelta> deltas_;  // oldest first, each to_serial == the next's from_serial
  std::size_t records_ = 0;
};

// Writes one journal record (class IN) with compression; false (nothing written) if it does not fit.
bool write_journal_record(WireWriter& w, CompressionTable& table, const JournalRecord& r);

}  // namespace endhost::dns
