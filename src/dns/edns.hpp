// EDNS(0) (RFC 6891): the OPT pseudo-record's fields as a value. The OPT RR packs them into its CLASS (UDP
// payload size) and TTL (extended RCODE, version, DO bit, other flags); options stay raw (code + octets).
#pragma once

#include <cstdint>
#include <vector>

#include "dns/limits.hpp"

namespace endhost::dns {

struct EdnsOption {
  std::uint16_t code = 0;
  std::vector<std::uint8_t> data;
  friend bool operator==(const EdnsOption&, const EdnsOption&) = default;
};

struct Edns {
  std::uint16_t udp_payload = kDefaultEdnsPayload;  // RFC 6891 §6.2.3; values below 512 mean 512
  std::uint8_t extended_rcode = 0;                  // upper 8 bits of the 12-bit RCODE
  std::uint8_t version = 0;                         // only 0 is defined; higher gets BADVERS (§6.1.3)
  bool dnssec_ok = false;                           // DO bit (RFC 3225)
  std::uint16_t flags = 0;                          // the other 15 "Z" bits, kept so they round-trip
  std::vector<EdnsOption> options;

  friend bool operator==(const Edns&, const Edns&) = default;
};

// Packing of the OPT TTL field (RFC 6891 §6.1.3).
constexpr std::uint32_t edns_ttl(std::uint8_t extended_rcode, std::uint8_t version, bool dnssec_ok,
                                 std::uint16_t flags) {
  return static_cast<std::uint32_t>(extended_rcode) << 24 | static_cast<std::uint32_t>(version) << 16 |
         (dnssec_ok ? 0x8000u : 0u) | (flags & 0x7FFFu);
}

}  // namespace endhost::dns
