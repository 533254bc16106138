// The authoritative answer engine (RFC 1034 §4.3.2 as refined by RFC 2308, 4592, 6604, 6891, 2181 §9):
// query octets in, response octets out, written straight into the caller's buffer. No I/O, no clock, no
// hidden state, no heap allocation: the round-robin position comes in as `rotation`, and the zone set is
// only read, so any number of threads may answer from one ZoneSet concurrently.
//
// The caller (the UDP/TCP session) guarantees: `out` is at least 512 octets (smaller buffers get a
// truncated or dropped answer), the ZoneSet outlives the call. A result with size == 0 means "send nothing".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dns/limits.hpp"
#include "dns/query.hpp"
#include "dns/types.hpp"
#include "dns/zone.hpp"

namespace endhost::dns {

enum class Transport : std::uint8_t { udp, tcp };

// The strings of the CH-class identity queries (RFC 4892 §2): version.bind and version.server answer
// `version`, hostname.bind, id.server and hostname.server answer `hostname`, each as one TXT record. An empty
// string refuses that query; AnswerOptions::identity == nullptr refuses them all (REFUSED, as NSD does).
struct ServerIdentity {
  std::string_view version;
  std::string_view hostname;
};

struct AnswerOptions {
  Transport transport = Transport::udp;
  // Round-robin counter: multi-record RRsets start at record (rotation % size). Pass e.g. a per-thread
  // query counter; pass 0 for zone-file order.
  std::uint32_t rotation = 0;
  // Our EDNS UDP payload size: advertised in the OPT we return and the cap on UDP answers (RFC 6891 §6.2.5).
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;
  // Borrowed for the call; nullptr: every CH-class query is REFUSED.
  const ServerIdentity* identity = nullptr;
};

enum class AnswerKind : std::uint8_t {
  dropped,   // nothing to send (parse_query said drop, or out is smaller than a header)
  answer,    // NOERROR with data (possibly via CNAME / wildcard)
  nodata,    // NOERROR, empty answer, SOA in authority (RFC 2308 §2.2)
  nxdomain,  // NXDOMAIN, SOA in authority (RFC 2308 §2.1)
  referral,  // NS of a child zone in authority, glue in additional, AA clear
  refused,   // no zone for the name, a class we do not serve, or a transfer request
  formerr,
  notimp,
  badvers,  // EDNS version above 0 (RFC 6891 §6.1.3)
};

struct AnswerResult {
  std::size_t size = 0;  // octets written at the start of `out`; 0 means do not reply
  AnswerKind kind = AnswerKind::dropped;
  Rcode rcode = Rcode::NOERROR;
  bool truncated = false;  // TC set: the client should retry over TCP
};

// Parses `query` (parse_query) and answers it.
AnswerResult answer(std::span<const std::uint8_t> query, const ZoneSet& zones, const AnswerOptions& options,
                    std::span<std::uint8_t> out);
// Answers an already parsed query (the session may have parsed it to apply an ACL or handle AXFR first).
AnswerResult answer(const ParsedQuery& query, const ZoneSet& zones, const AnswerOptions& options,
                    std::span<std::uint8_t> out);

}  // namespace endhost::dns
