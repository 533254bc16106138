#include "dns/resolver/rrset.hpp"

#include <algorithm>
#include <array>

#include "dns/rdata.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns::resolver {

NameView RRsetData::target(std::size_t i) const {
  auto r = record(i);
  // Stored RDATA names are uncompressed and were validated when decoded, so walking the labels is safe.
  std::size_t n = 0;
  while (n < r.size() && r[n] != 0) n += 1 + r[n];
  return NameView(r.data(), std::min(n + 1, r.size()));
}

namespace {

bool append_record(RRsetData& set, const ResourceRecord& rr) {
  // Encode straight into the set's buffer (no 64 KiB scratch vector per record).
  std::array<std::uint8_t, 0xFFFF> scratch;
  WireWriter w(scratch);
  if (!encode_rdata(w, rr.type, rr.rdata, nullptr) || !w.ok()) return false;
  auto wire = w.written();
  for (std::size_t i = 0; i < set.size(); ++i) {
    auto existing = set.record(i);
    if (std::equal(existing.begin(), existing.end(), wire.begin(), wire.end())) {
      set.ttl = std::min(set.ttl, rr.ttl);
      return true;  // RFC 2181 §5: duplicates are one record
    }
  }
  if (set.rdata.size() + wire.size() > 0xFFFF) return false;  // starts are 16-bit; no real RRset is this big
  set.starts.push_back(static_cast<std::uint16_t>(set.rdata.size()));
  set.rdata.insert(set.rdata.end(), wire.begin(), wire.end());
  set.ttl = set.size() == 1 ? rr.ttl : std::min(set.ttl, rr.ttl);
  return true;
}

}  // namespace

bool RRsetCollector::add(const ResourceRecord& rr) {
  if (rr.klass != RRClass::IN) return false;
  for (auto& s : sets_) {
    if (s->type == rr.type && s->owner == rr.name) return append_record(*s, rr);
  }
  auto s = std::make_shared<RRsetData>();
  s->owner = rr.name;
  s->owner.to_lower();
  s->type = rr.type;
  s->ttl = rr.ttl;
  if (!append_record(*s, rr)) return false;
  sets_.push_back(std::move(s));
  return true;
}

const RRsetData* RRsetCollector::find(NameView owner, RRType type) const {
  return find_shared(owner, type).get();
}

std::shared_ptr<RRsetData> RRsetCollector::find_shared(NameView owner, RRType type) const {
  for (const auto& s : sets_) {
    if (s->type == type && s->owner == owner) return s;
  }
  return nullptr;
}

RRsetPtr make_rrset(const Name& owner, RRType type, Ttl ttl, std::span<const Rdata> records) {
  RRsetCollector c;
  for (const auto& rd : records) c.add(ResourceRecord{owner, type, RRClass::IN, ttl, rd});
  return c.sets().empty() ? nullptr : c.sets().front();
}

}  // namespace endhost::dns::resolver
