// The forward proxy's guard against being used to reach what only this machine should reach (SSRF): a
// client that may send `GET http://127.0.0.1:9100/metrics` to a forward proxy would otherwise read the
// proxy's own admin port and any loopback or link-local service. The guard is a core::DialFilter, so it
// judges the address the pool actually connects to, after name resolution: "localhost", "127.1",
// "2130706433", "0x7f000001", "0177.0.0.1" and a name whose DNS answer is rebound to 127.0.0.1 all arrive
// here as 127.0.0.1, and "[::ffff:127.0.0.1]" is unmapped first. The allow-list (--allow-destination) lets
// an operator (or the lab, whose hosts are 127.x addresses) open chosen blocks again.
#pragma once

#include <string>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/dialer.hpp"
#include "core/socket_place.hpp"

namespace endhost::http::proxy {

// The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address stands for,
// else the address itself.
asio::ip::address canonical_address(const asio::ip::address& address);

// Why a forward proxy must not connect to `address` by its kind alone: loopback (127/8, ::1), unspecified
// or "this network" (0/8, ::, which Linux connects to this host), link-local (169.254/16, fe80::/10, cloud
// metadata services live there); "" otherwise. No sockets: the pure part of the guard.
std::string forbidden_kind(const asio::ip::address& address);

class DestinationGuard final : public core::DialFilter {
 public:
  // `place`: the network the proxy is on (a lab host's namespace), where "this machine's addresses" are.
  explicit DestinationGuard(core::AddressAcl allow, core::SocketPlace place = {})
      : allow_(std::move(allow)), place_(std::move(place)) {}
  // The allow-list first; then the kinds above; then whether the address is one of this machine's (a
  // socket can be bound to it), which covers every interface a wildcard listener answers on.
  std::string refuse(const asio::ip::address& address) const override;

 private:
  core::AddressAcl allow_;
  core::SocketPlace place_;
};

}  // namespace endhost::http::proxy
