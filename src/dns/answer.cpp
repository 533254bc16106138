#include "dns/answer.hpp"

#include <algorithm>
#include <array>

#include "dns/edns.hpp"
#include "dns/header.hpp"
#include "dns/rdata.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns {

namespace {

enum Section { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

// The response under construction. Sections are written strictly in order; an RRset is written whole or
// not at all (RFC 2181 §9), and once an answer or authority RRset fails to fit, TC is set and nothing but
// the OPT record is added afterwards.
class Response {
 public:
  Response(std::span<std::uint8_t> out, std::size_t limit) : out_(out), w_(out) { w_.set_limit(limit); }

  WireWriter& writer() { return w_; }
  bool truncated() const { return tc_; }

  void question(const ParsedQuery& q) {
    w_.name(q.qname, &table_);
    w_.u16(to_underlying(q.qtype));
    w_.u16(to_underlying(q.qclass));
    qdcount_ = 1;
  }

  // Writes all records of `set` owned by `owner`, starting at `rotation % size`. Returns false if the RRset
  // did not fit (and then nothing of it was written).
  bool add(Section s, NameView owner, const RRset& set, Ttl ttl, std::uint32_t rotation) {
    if (tc_) return false;
    auto mark = w_.mark(&table_);
    std::size_t n = set.size();
    std::size_t start = n > 1 ? rotation % n : 0;
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t i = (start + k) % n;
      w_.name(owner, &table_);
      w_.u16(to_underlying(set.type()));
      w_.u16(to_underlying(RRClass::IN));
      w_.u32(ttl.seconds);
      std::size_t len_at = w_.size();
      w_.u16(0);
      write_stored_rdata(w_, set.type(), set.rdata(i), &table_);
      if (!w_.ok()) break;
      w_.patch_u16(len_at, static_cast<std::uint16_t>(w_.size() - len_at - 2));
    }
    if (!w_.ok()) {
      w_.rewind(mark, &table_);
      return false;
    }
    counts_[s] = static_cast<std::uint16_t>(counts_[s] + n);
    return true;
  }

  // One TXT record of class CH with TTL 0 in the answer section (RFC 4892 identity answers), holding
  // `text` cut to one 255-octet string. Returns false, having written nothing, if it does not fit.
  bool add_chaos_txt(NameView owner, std::string_view text) {
    auto mark = w_.mark(&table_);
    const std::size_t n = std::min<std::size_t>(text.size(), 255);
    w_.name(owner, &table_);
    w_.u16(to_underlying(RRType::TXT));
    w_.u16(to_underlying(RRClass::CH));
    w_.u32(0);
    w_.u16(static_cast<std::uint16_t>(n + 1));
    w_.u8(static_cast<std::uint8_t>(n));
    w_.bytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), n));
    if (!w_.ok()) {
      w_.rewind(mark, &table_);
      tc_ = true;
      return false;
    }
    ++counts_[kAnswer];
    return true;
  }

  // For answer and authority data: a miss means the response is incomplete, so TC (RFC 2181 §9).
  bool add_required(Section s, NameView owner, const RRset& set, Ttl ttl, std::uint32_t rotation) {
    if (add(s, owner, set, ttl, rotation)) return true;
    tc_ = true;
    return false;
  }

  void opt(std::uint16_t payload, std::uint8_t ext_rcode, bool dnssec_ok) {
    w_.u8(0);  // root owner
    w_.u16(to_underlying(RRType::OPT));
    w_.u16(payload);
    w_.u32(edns_ttl(ext_rcode, 0, dnssec_ok, 0));
    w_.u16(0);
    if (w_.ok()) ++opt_count_;
  }

  std::size_t finish(Header h) {
    h.tc = h.tc || tc_;
    h.qdcount = qdcount_;
    h.ancount = counts_[kAnswer];
    h.nscount = counts_[kAuthority];
    h.arcount = static_cast<std::uint16_t>(counts_[kAdditional] + opt_count_);
    encode_header(h, out_);
    return w_.size();
  }

 private:
  std::span<std::uint8_t> out_;
  WireWriter w_;
  CompressionTable table_;
  std::array<std::uint16_t, 3> counts_{};
  std::uint16_t qdcount_ = 0;
  std::uint16_t opt_count_ = 0;
  bool tc_ = false;
};

struct Lookup {
  enum Kind { found, delegation, nxdomain } kind;
  const Node*
      node;  // found: the node (maybe a wildcard); delegation: the cut; nxdomain: the closest encloser
};

const Node* find_cut(const Zone& zone, NameView name) {
  for (NameView v = name;; v = v.parent()) {
    const Node* n = zone.find(v);
    if (n && n->delegation) return n;
  }
}

// RFC 1034 §4.3.2 step 3 with RFC 4592 §3.3 for wildcards. Precondition: name is at or below the origin.
Lookup lookup(const Zone& zone, NameView name, RRType qtype) {
  if (const Node* n = zone.find(name)) {
    if (n->occluded) return {Lookup::delegation, find_cut(zone, name)};
    // The parent side of a cut is authoritative for DS (RFC 4035 §3.1.4.1).
    if (n->delegation && qtype != RRType::DS) return {Lookup::delegation, n};
    return {Lookup::found, n};
  }
  // The closest encloser exists because the apex does; empty non-terminals are nodes, so a name under one
  // is NXDOMAIN unless that ENT itself has a "*" child (RFC 4592 §2.2.2, §3.3.1).
  NameView v = name;
  const Node* ce = nullptr;
  while (!ce) {
    v = v.parent();
    ce = zone.find(v);
  }
  if (ce->occluded) return {Lookup::delegation, find_cut(zone, v)};
  if (ce->delegation) return {Lookup::delegation, ce};
  if (ce->wildcard) return {Lookup::found, ce->wildcard};
  return {Lookup::nxdomain, ce};
}

// Names whose A/AAAA go into the additional section (RFC 1035 §3.3.9, §3.3.11; RFC 2782).
class Targets {
 public:
  void collect(const RRset& set, bool glue) {
    if (set.type() != RRType::NS && set.type() != RRType::MX && set.type() != RRType::SRV) return;
    for (std::size_t i = 0; i < set.size(); ++i) {
      NameView t;
      if (!stored_rdata_target(set.type(), set.rdata(i), t) || t.is_root()) continue;
      bool dup = false;
      for (std::size_t k = 0; k < n_ && !dup; ++k) dup = items_[k].name == t;
      if (!dup && n_ < items_.size()) items_[n_++] = {t, glue};
    }
  }

  // RFC 9471 §3: in-domain glue of a referral must fit, or TC is set.
  void write(Response& resp, const Zone& zone, const Node* cut, std::uint32_t rotation) const {
    for (std::size_t k = 0; k < n_; ++k) {
      const Item& it = items_[k];
      if (!it.name.is_subdomain_of(zone.origin())) continue;
      const Node* n = zone.find(it.name);
      // Addresses below a cut are glue: only for NS targets; MX/SRV answers use authoritative data only.
      if (!n || (n->occluded && !it.glue)) continue;
      bool required = cut && it.name.is_subdomain_of(cut->name);
      for (RRType t : {RRType::A, RRType::AAAA}) {
        const RRset* set = n->find(t);
        if (!set) continue;
        if (required) {
          resp.add_required(kAdditional, n->name, *set, set->ttl(), rotation);
        } else {
          resp.add(kAdditional, n->name, *set, set->ttl(), rotation);
        }
      }
    }
  }

 private:
  struct Item {
    NameView name;
    bool glue;
  };
  std::array<Item, kMaxAdditionalTargets> items_{};
  std::size_t n_ = 0;
};

struct Outcome {
  AnswerKind kind = AnswerKind::answer;
  Rcode rcode = Rcode::NOERROR;
  bool aa = true;
};

Outcome resolve(const ParsedQuery& q, const Zone& zone, Response& resp, std::uint32_t rotation) {
  Outcome out;
  Targets targets;
  const Node* cut = nullptr;
  std::array<NameView, kMaxCnameChain> seen{};
  std::size_t hops = 0;
  NameView name = q.qname;
  auto negative = [&](AnswerKind kind, Rcode rcode) {
    out.kind = kind;
    out.rcode = rcode;
    // RFC 2308 §3: the SOA's TTL is min(SOA TTL, MINIMUM).
    resp.add_required(kAuthority, zone.origin(), zone.soa_rrset(), zone.negative_ttl(), 0);
  };
  while (true) {
    Lookup l = lookup(zone, name, q.qtype);
    if (l.kind == Lookup::delegation) {
      // A referral. After a CNAME the answer section is still ours, so AA stays set (RFC 1034 §4.3.2 3b).
      cut = l.node;
      if (hops == 0) {
        out.kind = AnswerKind::referral;
        out.aa = false;
      }
      const RRset* ns = cut->find(RRType::NS);
      resp.add_required(kAuthority, cut->name, *ns, ns->ttl(), rotation);
      targets.collect(*ns, true);
      break;
    }
    if (l.kind == Lookup::nxdomain) {
      // RFC 6604 §3: after a CNAME, the RCODE describes the last name of the chain.
      negative(AnswerKind::nxdomain, Rcode::NXDOMAIN);
      break;
    }
    const Node* node = l.node;  // for a wildcard match, records are synthesized with owner `name`
    if (q.qtype == RRType::ANY) {
      if (node->rrsets.empty()) {
        negative(AnswerKind::nodata, Rcode::NOERROR);
        break;
      }
      // RFC 8482 §4.1: one RRset of the name, not all of them, so that ANY is no amplifier. NSD and Knot
      // do the same on UDP and TCP; so do we (docs/internals/dns.md). The first RRset in zone order is
      // the SOA at an apex, as NSD answers.
      const RRset& set = node->rrsets.front();
      resp.add_required(kAnswer, name, set, set.ttl(), rotation);
      targets.collect(set, set.type() == RRType::NS);
      out.kind = AnswerKind::answer;
      break;
    }
    if (const RRset* set = node->find(q.qtype)) {
      resp.add_required(kAnswer, name, *set, set->ttl(), rotation);
      targets.collect(*set, set->type() == RRType::NS);
      out.kind = AnswerKind::answer;
      break;
    }
    const RRset* cname = q.qtype == RRType::CNAME ? nullptr : node->find(RRType::CNAME);
    if (!cname) {
      negative(AnswerKind::nodata, Rcode::NOERROR);
      break;
    }
    out.kind = AnswerKind::answer;
    if (!resp.add_required(kAnswer, name, *cname, cname->ttl(), rotation)) break;
    NameView target;
    stored_rdata_target(RRType::CNAME, cname->rdata(0), target);
    // Stop where the resolver must continue: outside this zone, at a loop, or after too many hops.
    if (!target.is_subdomain_of(zone.origin()) || hops == seen.size()) break;
    bool loop = target == q.qname;
    for (std::size_t k = 0; k < hops && !loop; ++k) loop = seen[k] == target;
    if (loop) break;
    seen[hops++] = target;
    name = target;
  }
  targets.write(resp, zone, cut, rotation);
  return out;
}

// RFC 4892 §2: the identity TXT record asked for, or an empty view when the name is not one of them or the
// string for it is empty.
std::string_view identity_text(const ServerIdentity& id, NameView qname) {
  static constexpr std::array<std::string_view, 2> kVersion = {"version.bind.", "version.server."};
  static constexpr std::array<std::string_view, 3> kHost = {"hostname.bind.", "id.server.",
                                                            "hostname.server."};
  for (std::string_view n : kVersion) {
    if (auto want = Name::from_string(n); want && qname == want->view()) return id.version;
  }
  for (std::string_view n : kHost) {
    if (auto want = Name::from_string(n); want && qname == want->view()) return id.hostname;
  }
  return {};
}

}  // namespace

AnswerResult answer(std::span<const std::uint8_t> query, const ZoneSet& zones, const AnswerOptions& options,
                    std::span<std::uint8_t> out) {
  ParsedQuery q = parse_query(query);
  return answer(q, zones, options, out);
}

AnswerResult answer(const ParsedQuery& q, const ZoneSet& zones, const AnswerOptions& options,
                    std::span<std::uint8_t> out) {
  AnswerResult result;
  if (q.verdict == QueryVerdict::drop) return result;

  // Size limit: 512 without EDNS, else the client's payload capped by ours (RFC 6891 §6.2.3-5); 65535 on TCP.
  std::size_t limit;
  if (options.transport == Transport::tcp) {
    limit = kMaxMessageSize;
  } else {
    std::size_t ours = std::max<std::size_t>(kMinUdpPayload, options.max_udp_payload);
    std::size_t theirs = q.has_edns ? std::max<std::size_t>(kMinUdpPayload, q.udp_payload) : kMinUdpPayload;
    limit = std::min(ours, theirs);
  }
  limit = std::min(limit, out.size());
  if (limit < kHeaderSize) return result;

  Response resp(out, limit);
  resp.writer().bytes(std::array<std::uint8_t, kHeaderSize>{});  // header placeholder, filled by finish()
  Header h;
  h.id = q.header.id;
  h.qr = true;
  h.opcode = q.header.opcode;
  // RD (RFC 1035 §4.1.1) and CD (RFC 4035 §3.1.6) are copied into the response, but they are bits of a
  // QUERY: a reply to an opcode we do not implement carries only ID, QR, OPCODE and RCODE (RFC 6895 §2;
  // genreport's "opcodeflg" probe, which Knot and BIND pass). See docs/internals/dns.md.
  if (q.header.opcode == Opcode::QUERY) {
    h.rd = q.header.rd;
    h.cd = q.header.cd;
  }

  auto finish = [&](AnswerKind kind, Rcode rcode, bool with_opt, std::uint8_t ext_rcode = 0) {
    h.rcode = static_cast<std::uint8_t>(to_underlying(rcode) & 0x0F);
    if (with_opt) {
      // The OPT always fits: its room was reserved below before any section was written.
      resp.writer().set_limit(limit);
      resp.opt(options.max_udp_payload, ext_rcode, q.dnssec_ok);
    }
    result.size = resp.finish(h);
    result.kind = kind;
    result.rcode = rcode;
    result.truncated = resp.truncated();
    if (!resp.writer().ok()) result = AnswerResult{};  // even the header + question did not fit
    return result;
  };

  if (q.has_question) resp.question(q);
  // RFC 6891 §7: a FORMERR caused by a bad OPT is answered without one. A NOTIMP carries an OPT when the
  // request had one (§6.1.1; parse_query looks for it leniently): header, question and OPT fit in 512.
  if (q.verdict == QueryVerdict::formerr) return finish(AnswerKind::formerr, Rcode::FORMERR, false);
  if (q.verdict == QueryVerdict::notimp) return finish(AnswerKind::notimp, Rcode::NOTIMP, q.has_edns);
  if (q.has_edns) {
    if (q.edns_version > 0) return finish(AnswerKind::badvers, Rcode::BADVERS, true, 1);  // RFC 6891 §6.1.3
    resp.writer().set_limit(limit - kOptRecordSize);
  }
  auto fail_with = [&](AnswerKind kind, Rcode rcode) { return finish(kind, rcode, q.has_edns); };

  // RFC 4892: the CH-class TXT names that say who and what this server is; every other CH question is
  // REFUSED, as NSD answers.
  if (q.qclass == RRClass::CH) {
    std::string_view text;
    if (options.identity && (q.qtype == RRType::TXT || q.qtype == RRType::ANY))
      text = identity_text(*options.identity, q.qname);
    if (text.empty()) return fail_with(AnswerKind::refused, Rcode::REFUSED);
    h.aa = true;
    resp.add_chaos_txt(q.qname, text);  // TC if it did not fit
    return finish(AnswerKind::answer, Rcode::NOERROR, q.has_edns);
  }
  // Only class IN zones exist; QCLASS ANY (RFC 1035 §3.2.5) matches them.
  if (q.qclass != RRClass::IN && q.qclass != RRClass::ANY)
    return fail_with(AnswerKind::refused, Rcode::REFUSED);
  switch (q.qtype) {
    case RRType::AXFR:
    case RRType::IXFR:
      // Transfers are the session's job (TCP, ACL, AxfrStream); here they are refused.
      return fail_with(AnswerKind::refused, Rcode::REFUSED);
    case RRType::MAILA:
    case RRType::MAILB:
      return fail_with(AnswerKind::notimp, Rcode::NOTIMP);
    case RRType::OPT:
      return fail_with(AnswerKind::formerr, Rcode::FORMERR);
    default:
      break;
  }
  const Zone* zone = zones.find(q.qname);
  // DS lives in the parent zone (RFC 4035 §3.1.4.1): if we also serve the parent, answer from it.
  if (zone && q.qtype == RRType::DS && !q.qname.is_root() && zone->origin() == q.qname) {
    if (const Zone* parent = zones.find(q.qname.view().parent())) zone = parent;
  }
  // Not authoritative for the name and offering no recursion: REFUSED, as NSD, Knot and BIND answer.
  if (!zone) return fail_with(AnswerKind::refused, Rcode::REFUSED);

  Outcome o = resolve(q, *zone, resp, options.rotation);
  h.aa = o.aa;
  return finish(o.kind, o.rcode, q.has_edns);
}

}  // namespace endhost::dns
