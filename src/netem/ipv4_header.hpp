// The part of an IPv4 header (RFC 791 §3.1) the emulator reads to route a packet: version, IHL, total length
// and destination. Nothing else is looked at or changed: links are invisible to the hosts, as Mahimahi's are
// (no TTL decrement, no ICMP). Any bytes are safe input.
#pragma once

#include <cstdint>
#include <span>

#include "core/expected.hpp"

namespace endhost::netem {

enum class HeaderError : std::uint8_t {
  not_ipv4,   // version is not 4 (an IPv6 packet from the host's stack, or garbage)
  malformed,  // shorter than a header, IHL below 5, or a total length the bytes do not hold
};

struct Ipv4Header {
  std::uint8_t header_bytes = 0;   // IHL × 4
  std::uint16_t total_length = 0;  // the datagram's length; bytes after it are not part of it
  std::uint32_t destination = 0;   // host byte order
};

Expected<Ipv4Header, HeaderError> parse_ipv4_header(std::span<const std::uint8_t> packet);

}  // namespace endhost::netem
