// One RRset as the resolver holds it (RFC 2181 §5): owner, type, the TTL it arrived with and each record's
// RDATA in uncompressed wire form, so the data no longer depends on the message it came from and can be
// copied into any answer (compressing names again there). Immutable once built and shared by pointer between
// the cache, resolutions in progress and the answers being written, on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns::resolver {

struct RRsetData {
  Name owner;
  RRType type = RRType::A;
  Ttl ttl;                            // the lowest TTL of the records as received (RFC 2181 §5.2)
  std::vector<std::uint8_t> rdata;    // every record's RDATA, back to back
  std::vector<std::uint16_t> starts;  // where each record's RDATA starts in `rdata`

  std::size_t size() const { return starts.size(); }
  std::span<const std::uint8_t> record(std::size_t i) const {
    std::size_t end = i + 1 < starts.size() ? starts[i + 1] : rdata.size();
    return std::span<const std::uint8_t>(rdata).subspan(starts[i], end - starts[i]);
  }
  // The name at the start of record i: the target of NS, CNAME and PTR records. Only for those types.
  NameView target(std::size_t i) const;
  // Approximate heap and object bytes, for the cache's size bound.
  std::size_t memory() const { return sizeof(RRsetData) + rdata.capacity() + starts.capacity() * 2; }
};

using RRsetPtr = std::shared_ptr<const RRsetData>;

// Builds RRsets from records: add() in any order, records of one owner and type are merged, exact duplicates
// dropped (RFC 2181 §5). Only class IN is kept.
class RRsetCollector {
 public:
  // Returns false if the record is not IN or its RDATA cannot be encoded (it is then left out).
  bool add(const ResourceRecord& rr);
  // The RRsets in order of first appearance.
  std::vector<std::shared_ptr<RRsetData>>& sets() { return sets_; }
  // The RRset of that owner and type, or nullptr.
  const RRsetData* find(NameView owner, RRType type) const;
  std::shared_ptr<RRsetData> find_shared(NameView owner, RRType type) const;

 private:
  std::vector<std::shared_ptr<RRsetData>> sets_;
};

// A single-record RRset (tests, root hints).
RRsetPtr make_rrset(const Name& owner, RRType type, Ttl ttl, std::span<const Rdata> records);

}  // namespace endhost::dns::resolver
