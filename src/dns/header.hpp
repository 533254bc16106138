// The fixed 12-octet DNS header (RFC 1035 §4.1.1, with AD/CD from RFC 4035 §3.2). A plain value; decoding
// needs at least kHeaderSize octets and encoding writes exactly that many.
#pragma once

#include <cstdint>
#include <span>

#include "dns/limits.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

struct Header {
  std::uint16_t id = 0;
  bool qr = false;  // response
  Opcode opcode = Opcode::QUERY;
  bool aa = false;         // authoritative answer
  bool tc = false;         // truncated
  bool rd = false;         // recursion desired
  bool ra = false;         // recursion available
  bool z = false;          // reserved, must be zero (RFC 1035); kept so it round-trips
  bool ad = false;         // authentic data (RFC 4035)
  bool cd = false;         // checking disabled (RFC 4035)
  std::uint8_t rcode = 0;  // low 4 bits of the RCODE; see Message::rcode() for the extended value
  std::uint16_t qdcount = 0;
  std::uint16_t ancount = 0;
  std::uint16_t nscount = 0;
  std::uint16_t arcount = 0;

  friend bool operator==(const Header&, const Header&) = default;
};

// Precondition: in.size() >= kHeaderSize.
Header decode_header(std::span<const std::uint8_t> in);
// Precondition: out.size() >= kHeaderSize.
void encode_header(const Header& h, std::span<std::uint8_t> out);

}  // namespace endhost::dns
