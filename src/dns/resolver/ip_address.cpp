#include "dns/resolver/ip_address.hpp"

#include <algorithm>

#include "dns/address.hpp"

namespace endhost::dns::resolver {

IpAddress IpAddress::v4_from(std::span<const std::uint8_t, 4> octets) {
  IpAddress a;
  std::copy(octets.begin(), octets.end(), a.bytes.begin());
  return a;
}

IpAddress IpAddress::v6_from(std::span<const std::uint8_t, 16> octets) {
  IpAddress a;
  std::copy(octets.begin(), octets.end(), a.bytes.begin());
  a.v6 = true;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (auto v4 = parse_ipv4(text)) return v4_from(*v4);
  if (auto v6 = parse_ipv6(text)) return v6_from(*v6).unmapped();
  return std::nullopt;
}

IpAddress IpAddress::unmapped() const {
  // RFC 4291 §2.5.5.2: ::ffff:0:0/96 carries an IPv4 address in its last 32 bits.
  static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!v6 || !std::equal(kMapped.begin(), kMapped.end(), bytes.begin())) return *this;
  IpAddress a;
  std::copy(bytes.begin() + 12, bytes.end(), a.bytes.begin());
  return a;
}

std::string IpAddress::to_string() const {
  if (!v6) return format_ipv4({bytes[0], bytes[1], bytes[2], bytes[3]});
  return format_ipv6(bytes);
}

std::size_t IpAddress::hash() const {
  std::uint64_t h = v6 ? 0x9e3779b97f4a7c15ull : 0;
  for (std::size_t i = 0; i < size(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return static_cast<std::size_t>(h);
}

std::string ServerEndpoint::to_string() const {
  return ip.v6 ? "[" + ip.to_string() + "]:" + std::to_string(port)
               : ip.to_string() + ":" + std::to_string(port);
}

}  // namespace endhost::dns::resolver
