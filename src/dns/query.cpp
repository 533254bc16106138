#include "dns/query.hpp"

#include "dns/wire_reader.hpp"

namespace endhost::dns {

namespace {

struct RecordHead {
  std::uint16_t type = 0, klass = 0, rdlength = 0;
  std::uint32_t ttl = 0;
};

// Reads one resource record's owner and fixed fields (RFC 1035 §4.1.3), leaving `r` at its RDATA.
bool record_head(WireReader& r, Name& owner, RecordHead& h) {
  if (!r.name(owner)) return false;
  auto type = r.u16();
  auto klass = type ? r.u16() : Result<std::uint16_t>(Unexpected(type.error()));
  auto ttl = klass ? r.u32() : Result<std::uint32_t>(Unexpected(klass.error()));
  auto len = ttl ? r.u16() : Result<std::uint16_t>(Unexpected(ttl.error()));
  if (!len) return false;
  h = {*type, *klass, *len, *ttl};
  return true;
}

// True if the OPT RDATA's options frame exactly (RFC 6891 §6.1.2).
bool options_frame(std::span<const std::uint8_t> rdata) {
  for (std::size_t at = 0; at < rdata.size();) {
    if (rdata.size() - at < 4) return false;
    std::size_t olen = static_cast<std::size_t>(rdata[at + 2]) << 8 | rdata[at + 3];
    if (rdata.size() - at - 4 < olen) return false;
    at += 4 + olen;
  }
  return true;
}

// For an opcode we do not implement (the reply is NOTIMP whatever follows the question): skips the answer
// and authority records (a NOTIFY may carry an SOA, RFC 1996 §3.7) and takes the EDNS fields from the one
// root-owned OPT of the additional section, if the whole message parses; otherwise leaves `q` without EDNS.
// Bounded: every record read consumes at least 11 octets of the packet or stops the scan.
void find_opt_leniently(WireReader& r, ParsedQuery& q) {
  Name owner;
  RecordHead h;
  const unsigned skipped = unsigned{q.header.ancount} + q.header.nscount;
  for (unsigned i = 0; i < skipped; ++i) {
    if (!record_head(r, owner, h) || !r.skip(h.rdlength)) return;
  }
  std::optional<RecordHead> opt;
  std::span<const std::uint8_t> options;
  for (std::uint16_t i = 0; i < q.header.arcount; ++i) {
    if (!record_head(r, owner, h)) return;
    auto rdata = r.bytes(h.rdlength);
    if (!rdata) return;
    if (static_cast<RRType>(h.type) != RRType::OPT) continue;
    if (opt || !owner.is_root() || !options_frame(*rdata)) return;
    opt = h;
    options = *rdata;
  }
  if (!opt || !r.at_end()) return;
  q.has_edns = true;
  q.udp_payload = opt->klass;
  q.edns_version = static_cast<std::uint8_t>(opt->ttl >> 16);
  q.dnssec_ok = opt->ttl & 0x8000;
  q.edns_options = options;
}

}  // namespace

ParsedQuery parse_query(std::span<const std::uint8_t> packet) {
  ParsedQuery q;
  if (packet.size() < kHeaderSize) {
    q.reason = "shorter than the DNS header";
    return q;
  }
  q.header = decode_header(packet);
  if (q.header.qr) {
    q.reason = "QR set: a response, not a query";
    return q;
  }
  auto formerr = [&](const char* why) {
    q.verdict = QueryVerdict::formerr;
    q.reason = why;
    return q;
  };
  // Parse the question first even for other opcodes, so NOTIMP can echo it.
  WireReader r(packet, kHeaderSize);
  if (q.header.qdcount >= 1) {
    auto n = r.name(q.qname);
    auto t = n ? r.u16() : Result<std::uint16_t>(Unexpected(n.error()));
    auto c = t ? r.u16() : Result<std::uint16_t>(Unexpected(t.error()));
    if (c) {
      q.has_question = true;
      q.qtype = static_cast<RRType>(*t);
      q.qclass = static_cast<RRClass>(*c);
      q.question_end = r.position();
    }
  }
  if (q.header.opcode != Opcode::QUERY) {
    q.verdict = QueryVerdict::notimp;
    q.reason = "opcode not implemented";
    // RFC 6891 §6.1.1: a request with an OPT gets an OPT in its response, NOTIMP included. Only when the
    // question parsed; and a message that does not parse to its end has no OPT for us, never a FORMERR.
    if (q.header.qdcount == (q.has_question ? 1 : 0)) find_opt_leniently(r, q);
    return q;
  }
  if (q.header.qdcount != 1) return formerr("QDCOUNT is not 1");
  if (!q.has_question) return formerr("malformed or truncated question");
  // RFC 1035 does not define answers in a query; NSD and Knot refuse them too.
  // An IXFR carries the client's SOA in the authority section (RFC 1995 §3), and only that.
  const bool ixfr = q.qtype == RRType::IXFR;
  if (q.header.ancount != 0 || (q.header.nscount != 0 && !(ixfr && q.header.nscount == 1)))
    return formerr("records in the answer or authority section");
  if (ixfr) {
    if (q.header.nscount != 1) return formerr("IXFR without the client's SOA in the authority section");
    Name owner, mname, rname;
    if (!r.name(owner)) return formerr("malformed IXFR SOA owner");
    auto type = r.u16();
    auto klass = type ? r.u16() : Result<std::uint16_t>(Unexpected(type.error()));
    auto ttl = klass ? r.u32() : Result<std::uint32_t>(Unexpected(klass.error()));
    auto len = ttl ? r.u16() : Result<std::uint16_t>(Unexpected(ttl.error()));
    if (!len) return formerr("truncated IXFR SOA");
    if (static_cast<RRType>(*type) != RRType::SOA) return formerr("IXFR authority record is not an SOA");
    const std::size_t end = r.position() + *len;
    if (!r.name(mname) || !r.name(rname)) return formerr("malformed IXFR SOA RDATA");
    auto serial = r.u32();
    if (!serial || !r.bytes(16) || r.position() != end) return formerr("malformed IXFR SOA RDATA");
    q.ixfr_serial = *serial;
  }
  for (std::uint16_t i = 0; i < q.header.arcount; ++i) {
    Name owner;
    if (!r.name(owner)) return formerr("malformed additional record owner");
    auto type = r.u16();
    auto klass = type ? r.u16() : Result<std::uint16_t>(Unexpected(type.error()));
    auto ttl = klass ? r.u32() : Result<std::uint32_t>(Unexpected(klass.error()));
    auto len = ttl ? r.u16() : Result<std::uint16_t>(Unexpected(ttl.error()));
    if (!len) return formerr("truncated additional record");
    auto rdata = r.bytes(*len);
    if (!rdata) return formerr("additional record RDATA runs past the packet");
    if (*type == 250) q.has_tsig = true;  // TSIG (RFC 8945): checked by the server session (tsig.hpp)
    if (static_cast<RRType>(*type) != RRType::OPT) continue;
    if (q.has_edns) return formerr("more than one OPT record");
    if (!owner.is_root()) return formerr("OPT record not owned by the root");
    // Options must frame exactly (RFC 6891 §6.1.2).
    for (std::size_t at = 0; at < rdata->size();) {
      if (rdata->size() - at < 4) return formerr("truncated EDNS option");
      std::size_t olen = static_cast<std::size_t>((*rdata)[at + 2]) << 8 | (*rdata)[at + 3];
      if (rdata->size() - at - 4 < olen) return formerr("EDNS option runs past the OPT RDATA");
      at += 4 + olen;
    }
    q.has_edns = true;
    q.udp_payload = *klass;
    q.edns_version = static_cast<std::uint8_t>(*ttl >> 16);
    q.dnssec_ok = *ttl & 0x8000;
    q.edns_options = *rdata;
  }
  if (!r.at_end()) return formerr("octets after the last record");
  q.verdict = QueryVerdict::answer;
  q.reason = "";
  return q;
}

}  // namespace endhost::dns
