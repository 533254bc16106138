#include "dns/resolver/classify.hpp"

#include <algorithm>

#include "dns/rdata.hpp"

namespace endhost::dns::resolver {

const char* to_string(ResponseKind k) {
  switch (k) {
    case ResponseKind::answer:
      return "answer";
    case ResponseKind::cname:
      return "cname";
    case ResponseKind::nxdomain:
      return "nxdomain";
    case ResponseKind::nodata:
      return "nodata";
    case ResponseKind::referral:
      return "referral";
    case ResponseKind::lame:
      return "lame";
    case ResponseKind::error:
      return "error";
  }
  return "?";
}

namespace {

std::size_t collect(const std::vector<ResourceRecord>& section, RRsetCollector& out) {
  std::size_t n = 0;
  for (const auto& rr : section) n += out.add(rr) ? 1 : 0;
  return n;
}

// RFC 2308 §3: the SOA of the zone holding `name`, served by a server of `zone`.
std::shared_ptr<RRsetData> find_soa(RRsetCollector& authority, NameView name, NameView zone) {
  for (auto& s : authority.sets()) {
    if (s->type == RRType::SOA && s->size() == 1 && name.is_subdomain_of(s->owner) &&
        NameView(s->owner).is_subdomain_of(zone)) {
      return s;
    }
  }
  return nullptr;
}

// The SOA MINIMUM field: the last 4 octets of the stored RDATA.
std::uint32_t soa_minimum(const RRsetData& soa) {
  auto r = soa.record(0);
  if (r.size() < 20) return 0;
  auto p = r.subspan(r.size() - 4);
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

// Addresses of the NS targets of `ns` from the additional section, if they are within the bailiwick.
void take_glue(const RRsetData& ns, RRsetCollector& additional, NameView zone, Classification& c) {
  for (std::size_t i = 0; i < ns.size(); ++i) {
    NameView host = ns.target(i);
    if (!host.is_subdomain_of(zone)) continue;  // glue from outside the zone would be poison
    for (RRType t : {RRType::A, RRType::AAAA}) {
      if (auto g = additional.find_shared(host, t)) {
        if (std::none_of(c.cacheable.begin(), c.cacheable.end(),
                         [&](const ScrubbedRRset& s) { return s.rrset == g; })) {
          c.cacheable.push_back({g, Trust::additional});
        }
      }
    }
  }
}

std::size_t records_in(const Classification& c) {
  std::size_t n = 0;
  for (const auto& s : c.cacheable) n += s.rrset->size();
  if (c.soa) n += c.soa->size();
  return n;
}

}  // namespace

Classification classify_response(const Message& response, NameView qname, RRType qtype, NameView zone,
                                 std::size_t max_chain) {
  Classification c;
  c.final_name = Name(qname);
  std::size_t total = response.answers.size() + response.authorities.size() + response.additionals.size();
  auto finish = [&](ResponseKind kind, const char* reason = "") {
    c.kind = kind;
    c.reason = reason;
    std::size_t kept = records_in(c);
    c.dropped = total > kept ? total - kept : 0;
    return std::move(c);
  };

  Rcode rcode = response.rcode();
  if (rcode != Rcode::NOERROR && rcode != Rcode::NXDOMAIN) return finish(ResponseKind::error, "error rcode");

  RRsetCollector answer, authority, additional;
  collect(response.answers, answer);
  collect(response.authorities, authority);
  collect(response.additionals, additional);
  const bool aa = response.header.aa;
  const Trust answer_trust = aa ? Trust::answer_aa : Trust::answer;

  // The answer section, read as the chain from qname (RFC 1034 §5.3.3 step 4b; RFC 2181 §10.1).
  Name cur(qname);
  bool found = false;
  for (std::size_t hops = 0; cur.is_subdomain_of(zone);) {
    if (auto s = answer.find_shared(cur, qtype)) {
      c.chain.push_back(s);
      c.cacheable.push_back({s, answer_trust});
      found = true;
      break;
    }
    auto cn = qtype == RRType::CNAME ? nullptr : answer.find_shared(cur, RRType::CNAME);
    if (!cn || hops == max_chain) break;
    if (cn->size() != 1) {
      c.chain.clear();
      c.cacheable.clear();
      return finish(ResponseKind::lame, "several CNAME records at one name");
    }
    c.chain.push_back(cn);
    c.cacheable.push_back({cn, answer_trust});
    cur = Name(cn->target(0));
    ++hops;
  }
  c.final_name = cur;
  const bool in_zone = cur.is_subdomain_of(zone);

  if (found) {
    // Authoritative servers often add their zone's NS (and its addresses): worth keeping, at the credibility
    // of the section they came in.
    for (auto& s : authority.sets()) {
      if (s->type == RRType::NS && NameView(cur).is_subdomain_of(s->owner) &&
          NameView(s->owner).is_subdomain_of(zone)) {
        c.cacheable.push_back({s, aa ? Trust::authority_aa : Trust::referral});
        take_glue(*s, additional, zone, c);
        break;
      }
    }
    return finish(ResponseKind::answer);
  }
  // A chain that left the zone: the rest is another zone's business, whatever this server adds.
  if (!c.chain.empty() && !in_zone) return finish(ResponseKind::cname);

  if (auto soa = find_soa(authority, cur, zone)) {
    c.soa = soa;
    c.negative_ttl = Ttl{std::min(soa->ttl.seconds, soa_minimum(*soa))};
    return finish(rcode == Rcode::NXDOMAIN ? ResponseKind::nxdomain : ResponseKind::nodata);
  }
  // Negative answers without SOA are believed but not cached (RFC 2308 §5).
  if (rcode == Rcode::NXDOMAIN) return finish(ResponseKind::nxdomain);

  // A referral: NS for a zone strictly below the bailiwick that holds the name (RFC 1034 §4.3.2 step 3b).
  for (auto& s : authority.sets()) {
    if (s->type != RRType::NS || !NameView(cur).is_subdomain_of(s->owner)) continue;
    if (!NameView(s->owner).is_subdomain_of(zone) || NameView(s->owner) == zone) continue;
    c.referral_ns = s;
    c.cacheable.push_back({s, Trust::referral});
    take_glue(*s, additional, zone, c);
    return finish(ResponseKind::referral);
  }
  if (!c.chain.empty()) return finish(ResponseKind::cname);
  if (aa) return finish(ResponseKind::nodata);
  return finish(ResponseKind::lame, "neither data nor a referral further down");
}

}  // namespace endhost::dns::resolver
