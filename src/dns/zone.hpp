// An authoritative zone in memory, shaped for the answer engine: owner name → node → RRsets, with RDATA kept
// in uncompressed wire form so an answer is mostly memcpy. A Zone is immutable once built (ZoneBuilder
// validates it), move-only (nodes point at each other), and safe to share read-only between threads. A
// ZoneSet picks the closest enclosing zone for a query name. To reload, build a new ZoneSet and swap it in.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/expected.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

class ZoneJournal;

// All records of one owner, type and class (RFC 2181 §5), no duplicates, one TTL (the lowest seen, §5.2).
class RRset {
 public:
  RRType type() const { return type_; }
  Ttl ttl() const { return ttl_; }
  std::size_t size() const { return offsets_.size(); }
  // Uncompressed wire RDATA of record i (i < size()).
  std::span<const std::uint8_t> rdata(std::size_t i) const {
    std::size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : data_.size();
    return std::span<const std::uint8_t>(data_).subspan(offsets_[i], end - offsets_[i]);
  }

 private:
  friend class ZoneBuilder;
  RRType type_ = RRType::A;
  Ttl ttl_;
  std::vector<std::uint8_t> data_;
  std::vector<std::uint32_t> offsets_;
};

struct Node {
  Name name;
  std::vector<RRset> rrsets;       // empty for an empty non-terminal (RFC 4592 §2.2.2)
  const Node* wildcard = nullptr;  // the child "*.name", if the zone has one
  bool apex = false;
  bool delegation = false;  // NS below the apex: a zone cut (RFC 1034 §4.2.1)
  bool occluded = false;    // strictly below a zone cut: glue or occluded data, not authoritative

  const RRset* find(RRType type) const {
    for (const auto& s : rrsets) {
      if (s.type() == type) return &s;
    }
    return nullptr;
  }
};

class Zone {
 public:
  Zone(Zone&&) = default;
  Zone& operator=(Zone&&) = default;
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  const Name& origin() const { return apex_->name; }
  const Node& apex() const { return *apex_; }
  const rdata::Soa& soa() const { return soa_; }
  const RRset& soa_rrset() const { return *apex_->find(RRType::SOA); }
  // RFC 2308 §3: the TTL of the SOA in negative answers is min(SOA TTL, SOA MINIMUM).
  Ttl negative_ttl() const { return Ttl{std::min(soa_rrset().ttl().seconds, soa_.minimum)}; }

  // The node owning exactly `name` (case-insensitive), including empty non-terminals; nullptr if none.
  const Node* find(NameView name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  // Every node in RFC 4034 canonical order, apex first.
  std::span<const Node* const> nodes() const { return ordered_; }
  std::size_t record_count() const { return record_count_; }
  // All records as values, canonical order (the AXFR order without the closing SOA).
  std::vector<ResourceRecord> records() const;

 private:
  friend class ZoneBuilder;
  Zone() = default;
  std::unordered_map<Name, Node, NameHash, NameEqual> nodes_;
  std::vector<const Node*> ordered_;
  const Node* apex_ = nullptr;
  rdata::Soa soa_;
  std::size_t record_count_ = 0;
};

// Collects records, then checks the zone as a whole. Errors are messages naming the owner and the rule.
class ZoneBuilder {
 public:
  explicit ZoneBuilder(Name origin);
  // Rejects records outside the origin, classes other than IN, meta types (OPT, ANY, AXFR, …) and RDATA that
  // does not match its type. Exact duplicates are dropped silently (RFC 2181 §5).
  endhost::Expected<void, std::string> add(const ResourceRecord& rr);
  // Requires one SOA at the apex and NS at the apex; refuses CNAME next to other data or two CNAMEs at one
  // name (RFC 1034 §3.6.2, RFC 2181 §10.1). Adds empty non-terminals and marks cuts and glue.
  endhost::Expected<Zone, std::string> finish() &&;

 private:
  Zone zone_;
  Name origin_;
};

// Convenience: build a zone from parsed records.
endhost::Expected<Zone, std::string> build_zone(const Name& origin, std::span<const ResourceRecord> records);

class ZoneSet {
 public:
  // Fails if a zone with the same origin is already present.
  endhost::Expected<void, std::string> add(Zone zone);
  // The zone whose origin is the longest suffix of qname, or nullptr (RFC 1034 §4.3.2 step 2).
  const Zone* find(NameView qname) const;
  // The zone whose origin is exactly `origin`.
  const Zone* find_exact(NameView origin) const;
  std::size_t size() const { return zones_.size(); }

  // The IXFR history of zone `origin` (journal.hpp), or null when none is known.
  void set_journal(const Name& origin, std::shared_ptr<const ZoneJournal> journal);
  std::shared_ptr<const ZoneJournal> journal(NameView origin) const;

 private:
  std::unordered_map<Name, Zone, NameHash, NameEqual> zones_;
  std::unordered_map<Name, std::shared_ptr<const ZoneJournal>, NameHash, NameEqual> journals_;
  std::size_t max_labels_ = 0;  // deepest origin, so find() skips hopeless suffixes
};

}  // namespace endhost::dns
