// Writes the resolver's answer to a client's query straight into the caller's buffer: the header (RA set, RD
// and CD echoed), the question as the client sent it (case included), the answer RRsets with their remaining
// TTLs, the authority RRsets (the SOA of a negative answer) and an OPT record when the client sent one. Names
// are compressed. A UDP answer is limited to 512 octets, or to the client's EDNS payload size capped by ours
// (RFC 6891 §6.2.5); when an answer RRset does not fit, TC is set and whole RRsets are dropped (RFC 2181 §9).
// No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/answer.hpp"
#include "dns/query.hpp"
#include "dns/resolver/cached_answer.hpp"
#include "dns/types.hpp"

namespace endhost::dns::resolver {

struct ResponseOptions {
  Transport transport = Transport::udp;
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;  // ours, advertised in the OPT we return
};

struct WrittenResponse {
  std::size_t size = 0;
  bool truncated = false;
};

// `query` is a parse_query() result with a header (any verdict but drop). Without a parsed question the
// response is a bare header. `out` must hold at least 512 octets.
WrittenResponse write_response(const ParsedQuery& query, Rcode rcode, std::span<const AnswerRRset> answer,
                               std::span<const AnswerRRset> authority, const ResponseOptions& options,
                               std::span<std::uint8_t> out);

}  // namespace endhost::dns::resolver
