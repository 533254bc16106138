// Addresses of name servers and clients as plain values (no sockets): an IPv4 or IPv6 address, and an
// address with the port queries go to. The engine compares them to check that an answer came from the server
// that was asked; the ACL matches client addresses against CIDR prefixes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace endhost::dns::resolver {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 octets, the rest stay zero
  bool v6 = false;

  static IpAddress v4_from(std::span<const std::uint8_t, 4> octets);
  static IpAddress v6_from(std::span<const std::uint8_t, 16> octets);
  // Dotted quad or RFC 4291 text. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address, so
  // a dual-stack socket's view of an IPv4 client matches IPv4 rules.
  static std::optional<IpAddress> parse(std::string_view text);
  // Folds ::ffff:a.b.c.d to a.b.c.d (see parse).
  IpAddress unmapped() const;

  std::size_t size() const { return v6 ? 16 : 4; }
  std::span<const std::uint8_t> octets() const { return {bytes.data(), size()}; }
  std::string to_string() const;
  std::size_t hash() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Where a query goes: a name server's address and the port (53 unless --query-port says otherwise).
struct ServerEndpoint {
  IpAddress ip;
  std::uint16_t port = 53;

  std::string to_string() const;  // 192.0.2.1:53 or [2001:db8::1]:53
  std::size_t hash() const { return ip.hash() * 31 + port; }
  friend bool operator==(const ServerEndpoint&, const ServerEndpoint&) = default;
};

struct ServerEndpointHash {
  std::size_t operator()(const ServerEndpoint& e) const { return e.hash(); }
};

}  // namespace endhost::dns::resolver
