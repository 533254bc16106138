#include "http/proxy/destination.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "core/address_acl_asio.hpp"

namespace endhost::http::proxy {

asio::ip::address canonical_address(const asio::ip::address& address) {
  if (!address.is_v6()) return address;
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  // ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated): some stacks still route it as IPv4. :: and ::1 are not.
  const auto b = v6.to_bytes();
  bool zero_prefix = true;
  for (int i = 0; i < 12; ++i) zero_prefix = zero_prefix && b[i] == 0;
  if (zero_prefix && (b[12] | b[13]) != 0)
    return asio::ip::address_v4(asio::ip::address_v4::bytes_type{b[12], b[13], b[14], b[15]});
  return address;
}

std::string forbidden_kind(const asio::ip::address& given) {
  const asio::ip::address a = canonical_address(given);
  if (a.is_loopback()) return "it is a loopback address";
  if (a.is_unspecified()) return "it is the unspecified address (this host)";
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    if (b[0] == 0) return "it is in 0.0.0.0/8 (this host)";
    if (b[0] == 169 && b[1] == 254) return "it is a link-local address";
  } else if (a.to_v6().is_link_local()) {
    return "it is a link-local address";
  }
  return {};
}

std::string DestinationGuard::refuse(const asio::ip::address& given) const {
  const asio::ip::address a = canonical_address(given);
  if (core::allows(allow_, a)) return {};
  if (std::string why = forbidden_kind(a); !why.empty()) return why;
  // One of our own addresses: binding a socket to it succeeds only then. A UDP socket is enough and sends
  // nothing.
  const int family = a.is_v4() ? AF_INET : AF_INET6;
  const int fd = core::open_socket_fd(family, SOCK_DGRAM | SOCK_CLOEXEC, 0, place_);
  if (fd < 0) return {};
  asio::ip::udp::endpoint ep(a, 0);
  const bool local = ::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) == 0;
  ::close(fd);
  return local ? "it is an address of this machine" : std::string();
}

}  // namespace endhost::http::proxy
