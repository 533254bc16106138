#include "dns/resolver/response_writer.hpp"

#include <algorithm>
#include <array>

#include "dns/compression.hpp"
#include "dns/edns.hpp"
#include "dns/header.hpp"
#include "dns/rdata.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns::resolver {

namespace {

// Writes every record of the RRset, or nothing (then returns false).
bool write_rrset(WireWriter& w, CompressionTable& table, const AnswerRRset& s, std::uint16_t& count) {
  const RRsetData& set = *s.rrset;
  auto mark = w.mark(&table);
  for (std::size_t i = 0; i < set.size(); ++i) {
    w.name(set.owner, &table);
    w.u16(to_underlying(set.type));
    w.u16(to_underlying(RRClass::IN));
    w.u32(s.ttl.seconds);
    std::size_t len_at = w.size();
    w.u16(0);
    write_stored_rdata(w, set.type, set.record(i), &table);
    if (!w.ok()) break;
    w.patch_u16(len_at, static_cast<std::uint16_t>(w.size() - len_at - 2));
  }
  if (!w.ok()) {
    w.rewind(mark, &table);
    return false;
  }
  count = static_cast<std::uint16_t>(count + set.size());
  return true;
}

}  // namespace

WrittenResponse write_response(const ParsedQuery& query, Rcode rcode, std::span<const AnswerRRset> answer,
                               std::span<const AnswerRRset> authority, const ResponseOptions& options,
                               std::span<std::uint8_t> out) {
  std::size_t limit = std::min<std::size_t>(out.size(), kMaxMessageSize);
  if (options.transport == Transport::udp) {
    std::size_t payload = kMinUdpPayload;
    if (query.has_edns) {
      payload = std::clamp<std::size_t>(query.udp_payload, kMinUdpPayload,
                                        std::max(options.max_udp_payload, kMinUdpPayload));
    }
    limit = std::min(limit, payload);
  }
  if (limit < kHeaderSize) return {};
  const bool opt = query.has_edns;
  auto code = to_underlying(rcode);

  Header h;
  h.id = query.header.id;
  h.qr = true;
  h.opcode = query.header.opcode;
  // RD, CD and RA are bits of a QUERY (RFC 1035 §4.1.1, RFC 4035 §3.1.6): the NOTIMP reply to another
  // opcode clears them, as genreport's "opcodeflg" probe expects (RFC 6895 §2).
  const bool is_query = query.header.opcode == Opcode::QUERY;
  h.rd = is_query && query.header.rd;
  h.cd = is_query && query.header.cd;
  h.ra = is_query;
  h.rcode = static_cast<std::uint8_t>(code & 0x0F);

  WireWriter w(out.first(limit));
  w.set_limit(opt ? limit - std::min(limit, kOptRecordSize) : limit);
  static constexpr std::array<std::uint8_t, kHeaderSize> kRoomForHeader{};  // the header is written last
  w.bytes(kRoomForHeader);
  CompressionTable table;
  if (query.has_question) {
    w.name(query.qname, &table);
    w.u16(to_underlying(query.qtype));
    w.u16(to_underlying(query.qclass));
    h.qdcount = 1;
  }
  for (const auto& s : answer) {
    if (!write_rrset(w, table, s, h.ancount)) {
      h.tc = true;  // the client needs this RRset: it must ask again over TCP
      break;
    }
  }
  if (!h.tc) {
    for (const auto& s : authority) {
      if (!write_rrset(w, table, s, h.nscount)) break;  // optional (RFC 2308 §5 SHOULD): leave it out
    }
  }
  if (opt) {
    // RFC 6891 §6.1.2: root owner, our payload size in CLASS, extended RCODE and version 0 in the TTL.
    w.set_limit(limit);
    w.u8(0);
    w.u16(to_underlying(RRType::OPT));
    w.u16(std::max(options.max_udp_payload, kMinUdpPayload));
    // RFC 3225 §3: the DO bit of the query is copied into the response.
    w.u32(edns_ttl(static_cast<std::uint8_t>(code >> 4), 0, query.dnssec_ok, 0));
    w.u16(0);
    h.arcount = 1;
  }
  if (!w.ok()) return {};  // cannot happen: the OPT room was reserved
  encode_header(h, out);
  return {w.size(), h.tc};
}

}  // namespace endhost::dns::resolver
