#include "dns/query.hpp"

#include "dns/wire_reader.hpp"

namespace endhost::dns {

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
