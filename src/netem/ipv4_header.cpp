#include "netem/ipv4_header.hpp"

namespace endhost::netem {

Expected<Ipv4Header, HeaderError> parse_ipv4_header(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return Unexpected(HeaderError::malformed);
  if ((packet[0] >> 4) != 4) return Unexpected(HeaderError::not_ipv4);
  if (packet.size() < 20) return Unexpected(HeaderError::malformed);
  Ipv4Header h;
  h.header_bytes = static_cast<std::uint8_t>((packet[0] & 0x0f) * 4);
  h.total_length = static_cast<std::uint16_t>(packet[2] << 8 | packet[3]);
  // RFC 791: IHL is at least 5 words; the total length covers the header and cannot exceed what arrived.
  if (h.header_bytes < 20 || h.total_length < h.header_bytes || h.total_length > packet.size())
    return Unexpected(HeaderError::malformed);
  h.destination = static_cast<std::uint32_t>(packet[16]) << 24 |
                  static_cast<std::uint32_t>(packet[17]) << 16 | static_cast<std::uint32_t>(packet[18]) << 8 |
                  static_cast<std::uint32_t>(packet[19]);
  return h;
}

}  // namespace endhost::netem
