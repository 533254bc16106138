// The small messages the answer engine does not build: a response made of the header and the echoed
// question (the answer to a NOTIFY, RFC 1996 §4.7, and the NOTAUTH of a refused zone transfer, RFC 5936
// §2.2.1), and the check a primary applies to the response to its NOTIFY. Sans-I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/query.hpp"
#include "dns/types.hpp"

namespace endhost::dns::server {

// Writes a response with no records: same ID and opcode as `request`, QR set, AA as given, RD copied,
// `rcode` (0..15), the question echoed when it parsed. Returns the octets written, 0 if `out` is too small.
std::size_t write_bare_response(const ParsedQuery& request, Rcode rcode, bool aa,
                                std::span<std::uint8_t> out);

// True if `packet` is the response to NOTIFY `id`: QR set, opcode NOTIFY, same ID. `rcode` gets its RCODE.
bool is_notify_response(std::span<const std::uint8_t> packet, std::uint16_t id, Rcode& rcode);

}  // namespace endhost::dns::server
