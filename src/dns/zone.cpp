#include "dns/zone.hpp"

#include <algorithm>

namespace endhost::dns {

namespace {
endhost::Unexpected<std::string> zone_error(const Name& owner, const std::string& what) {
  return endhost::Unexpected<std::string>(owner.to_string() + ": " + what);
}
}  // namespace

ZoneBuilder::ZoneBuilder(Name origin) : origin_(origin) {}

endhost::Expected<void, std::string> ZoneBuilder::add(const ResourceRecord& rr) {
  if (!rr.name.is_subdomain_of(origin_)) return zone_error(rr.name, "out of zone " + origin_.to_string());
  if (rr.klass != RRClass::IN)
    return zone_error(rr.name, "class " + to_string(rr.klass) + " is not supported");
  if (is_meta_type(rr.type)) return zone_error(rr.name, to_string(rr.type) + " cannot appear in a zone");
  if (rr.ttl.seconds > kMaxTtl) return zone_error(rr.name, "TTL above 2^31-1 (RFC 2181 §8)");
  auto wire = rdata_to_wire(rr.type, rr.rdata);
  if (!wire) return zone_error(rr.name, std::string(wire.error().reason));
  auto [it, inserted] = zone_.nodes_.try_emplace(rr.name);
  Node& node = it->second;
  if (inserted) node.name = rr.name;
  RRset* set = nullptr;
  for (auto& s : node.rrsets) {
    if (s.type_ == rr.type) set = &s;
  }
  if (!set) {
    set = &node.rrsets.emplace_back();
    set->type_ = rr.type;
    set->ttl_ = rr.ttl;
  }
  for (std::size_t i = 0; i < set->size(); ++i) {
    auto existing = set->rdata(i);
    if (std::equal(existing.begin(), existing.end(), wire->begin(), wire->end())) return {};
  }
  set->ttl_ = std::min(set->ttl_, rr.ttl);
  set->offsets_.push_back(static_cast<std::uint32_t>(set->data_.size()));
  set->data_.insert(set->data_.end(), wire->begin(), wire->end());
  ++zone_.record_count_;
  return {};
}

endhost::Expected<Zone, std::string> ZoneBuilder::finish() && {
  auto& nodes = zone_.nodes_;
  auto apex_it = nodes.find(origin_.view());
  if (apex_it == nodes.end()) return zone_error(origin_, "zone has no SOA record at its apex");
  const RRset* soa = apex_it->second.find(RRType::SOA);
  if (!soa) return zone_error(origin_, "zone has no SOA record at its apex");
  if (soa->size() != 1) return zone_error(origin_, "zone has more than one SOA record");
  if (!apex_it->second.find(RRType::NS)) return zone_error(origin_, "zone has no NS records at its apex");
  auto soa_rd = decode_rdata(RRType::SOA, soa->rdata(0));
  zone_.soa_ = std::get<rdata::Soa>(*soa_rd);

  // Empty non-terminals: every name between an owner and the apex exists (RFC 4592 §2.2.2).
  std::vector<Name> owners;
  owners.reserve(nodes.size());
  for (const auto& [name, node] : nodes) owners.push_back(name);
  for (const auto& owner : owners) {
    for (NameView v = owner.view(); v.size() > origin_.size();) {
      v = v.parent();
      if (nodes.find(v) != nodes.end()) continue;
      Name n(v);
      nodes.try_emplace(n).first->second.name = n;
    }
  }

  for (auto& [name, node] : nodes) {
    node.apex = name.size() == origin_.size();
    node.delegation = !node.apex && node.find(RRType::NS) != nullptr;
    const RRset* cname = node.find(RRType::CNAME);
    if (cname && cname->size() > 1) return zone_error(name, "more than one CNAME record (RFC 2181 §10.1)");
    if (cname && node.rrsets.size() > 1) return zone_error(name, "CNAME and other data (RFC 1034 §3.6.2)");
  }
  for (auto& [name, node] : nodes) {
    for (NameView v = name.view(); v.size() > origin_.size();) {
      v = v.parent();
      const Node* anc = &nodes.find(v)->second;
      if (anc->delegation) {
        node.occluded = true;
        break;
      }
    }
    if (!node.apex && name.is_wildcard()) nodes.find(name.view().parent())->second.wildcard = &node;
  }
  zone_.apex_ = &nodes.find(origin_.view())->second;
  zone_.ordered_.clear();
  for (const auto& [name, node] : nodes) zone_.ordered_.push_back(&node);
  std::sort(zone_.ordered_.begin(), zone_.ordered_.end(),
            [](const Node* a, const Node* b) { return canonical_compare(a->name, b->name) < 0; });
  for (auto& [name, node] : nodes) {
    // SOA first at the apex so AXFR and presentation start with it.
    std::stable_sort(node.rrsets.begin(), node.rrsets.end(), [](const RRset& a, const RRset& b) {
      bool sa = a.type() == RRType::SOA, sb = b.type() == RRType::SOA;
      if (sa != sb) return sa;
      return to_underlying(a.type()) < to_underlying(b.type());
    });
  }
  return std::move(zone_);
}

endhost::Expected<Zone, std::string> build_zone(const Name& origin, std::span<const ResourceRecord> records) {
  ZoneBuilder b(origin);
  for (const auto& rr : records) {
    if (auto r = b.add(rr); !r) return endhost::Unexpected(r.error());
  }
  return std::move(b).finish();
}

std::vector<ResourceRecord> Zone::records() const {
  std::vector<ResourceRecord> out;
  out.reserve(record_count_);
  for (const Node* node : ordered_) {
    for (const auto& set : node->rrsets) {
      for (std::size_t i = 0; i < set.size(); ++i) {
        auto rd = decode_rdata(set.type(), set.rdata(i));
        out.push_back(ResourceRecord{node->name, set.type(), RRClass::IN, set.ttl(), std::move(*rd)});
      }
    }
  }
  return out;
}

endhost::Expected<void, std::string> ZoneSet::add(Zone zone) {
  Name origin = zone.origin();
  auto [it, inserted] = zones_.try_emplace(origin, std::move(zone));
  if (!inserted) return endhost::Unexpected("zone " + origin.to_string() + " is already loaded");
  max_labels_ = std::max(max_labels_, origin.label_count());
  return {};
}

const Zone* ZoneSet::find(NameView qname) const {
  std::size_t labels = qname.label_count();
  NameView v = labels > max_labels_ ? qname.suffix(max_labels_) : qname;
  while (true) {
    auto it = zones_.find(v);
    if (it != zones_.end()) return &it->second;
    if (v.is_root()) return nullptr;
    v = v.parent();
  }
}

const Zone* ZoneSet::find_exact(NameView origin) const {
  auto it = zones_.find(origin);
  return it == zones_.end() ? nullptr : &it->second;
}

void ZoneSet::set_journal(const Name& origin, std::shared_ptr<const ZoneJournal> journal) {
  if (journal) {
    journals_[origin] = std::move(journal);
  } else {
    journals_.erase(origin);
  }
}

std::shared_ptr<const ZoneJournal> ZoneSet::journal(NameView origin) const {
  auto it = journals_.find(Name(origin));
  return it == journals_.end() ? nullptr : it->second;
}

}  // namespace endhost::dns
