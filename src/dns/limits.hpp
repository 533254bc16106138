// Hard limits of the DNS codec, in one place so that every bound a parser enforces has a name (STYLE.md §4).
// Protocol limits come from the RFCs; the rest are policy and documented in docs/internals/dns.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace endhost::dns {

// RFC 1035 §2.3.4: a name is at most 255 octets on the wire, a label at most 63.
inline constexpr std::size_t kMaxNameWireSize = 255;
inline constexpr std::size_t kMaxLabelSize = 63;
// 255 octets hold at most 127 one-character labels plus the root.
inline constexpr std::size_t kMaxLabels = 127;

// RFC 1035 §4.1.1.
inline constexpr std::size_t kHeaderSize = 12;
// RFC 1035 §4.2.1: UDP messages without EDNS are at most 512 octets; RFC 6891 §6.2.5 treats smaller
// advertised EDNS payload sizes as 512.
inline constexpr std::uint16_t kMinUdpPayload = 512;
// A DNS message over TCP carries a 16-bit length prefix (RFC 1035 §4.2.2).
inline constexpr std::size_t kMaxMessageSize = 65535;
// DNS Flag Day 2020 recommendation: 1232 avoids IP fragmentation on virtually every path.
inline constexpr std::uint16_t kDefaultEdnsPayload = 1232;
// A compression pointer has 14 bits of offset (RFC 1035 §4.1.4).
inline constexpr std::size_t kMaxCompressionOffset = 0x3FFF;
// Names remembered for compression per message. A full table only costs compression, never correctness.
inline constexpr std::size_t kCompressionTableSize = 128;
// The OPT RR without options: root owner (1) + type, class, TTL, RDLENGTH (10).
inline constexpr std::size_t kOptRecordSize = 11;

// Answer engine: CNAME hops followed inside a zone (BIND and NSD use similar small limits).
inline constexpr std::size_t kMaxCnameChain = 12;
// Distinct NS/MX/SRV targets whose addresses are considered for the additional section.
inline constexpr std::size_t kMaxAdditionalTargets = 32;

// Master-file parser defaults (ZoneLimits in zone_parser.hpp may change them per call).
inline constexpr std::size_t kDefaultMaxZoneFileBytes = 256u * 1024 * 1024;
inline constexpr std::size_t kDefaultMaxZoneRecords = 4'000'000;
inline constexpr std::size_t kDefaultMaxLineLength = 65535;
inline constexpr std::size_t kDefaultMaxIncludeDepth = 8;
// RFC 2181 §8: a TTL is an unsigned number between 0 and 2^31 - 1.
inline constexpr std::uint32_t kMaxTtl = 0x7FFFFFFF;

}  // namespace endhost::dns
