// Classifies and parses an incoming query without allocating: the first step of every server session.
// The verdict says what the server must do with the packet (RFC 1035 §4.1.1, §7.3; RFC 6891 §6.1.1, §7):
//
//   drop     shorter than the header (no ID to answer to), or QR = 1 (a response: answering responses invites
//            reflection loops between servers);
//   notimp   an opcode other than QUERY (NOTIFY and UPDATE are not served by the answer engine);
//   formerr  QDCOUNT != 1, records in the answer or authority section (but an IXFR's one SOA), a name or
//   record that does not
//            parse, octets after the last record, an OPT that is duplicated, misplaced or not owned by root;
//   answer   a well-formed query; qname/qtype/qclass and the EDNS fields are valid.
//
// For formerr and notimp, `has_question` tells whether the question parsed, so the error response can echo
// it. The ParsedQuery borrows nothing except `edns_options`, a view into the packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dns/header.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

enum class QueryVerdict : std::uint8_t { answer, drop, formerr, notimp };

struct ParsedQuery {
  QueryVerdict verdict = QueryVerdict::drop;
  const char* reason = "";  // why, for logs; static string
  Header header;
  bool has_question = false;
  Name qname;  // as received (case preserved, for 0x20-style resolvers)
  RRType qtype = RRType::A;
  RRClass qclass = RRClass::IN;
  std::size_t question_end = 0;  // offset just past the question
  bool has_edns = false;
  std::uint16_t udp_payload = kMinUdpPayload;  // as advertised; 512 without EDNS
  std::uint8_t edns_version = 0;
  bool dnssec_ok = false;
  std::span<const std::uint8_t> edns_options;  // raw OPT RDATA, borrowed from the packet
  bool has_tsig = false;                       // a TSIG record in the additional section
  std::optional<std::uint32_t> ixfr_serial;    // IXFR: the serial of the client's SOA (RFC 1995 §3)
};

ParsedQuery parse_query(std::span<const std::uint8_t> packet);

}  // namespace endhost::dns
