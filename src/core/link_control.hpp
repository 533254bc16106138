// Configures network interfaces of one namespace with the classic ioctls (SIOCSIFFLAGS, SIOCSIFMTU,
// SIOCSIFADDR/SIOCSIFNETMASK, SIOCADDRT), as ifconfig and route do: the ioctls act on the namespace of the
// control socket they are issued on, which is the namespace the socket was made in, so once made a
// LinkControl works from any thread. We chose ioctls over rtnetlink because each step is one call with a
// plain errno, and the lab needs nothing beyond IPv4 addresses, MTU, up and device routes.
#pragma once

#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/expected.hpp"

namespace endhost::core {

class NetNamespace;

class LinkControl {
 public:
  // A control socket in `ns` (made inside a ScopedNetns).
  static Expected<LinkControl, std::string> inside(const NetNamespace& ns);
  // A control socket in the calling thread's namespace.
  static Expected<LinkControl, std::string> here();

  LinkControl(LinkControl&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  LinkControl& operator=(LinkControl&& other) noexcept;
  LinkControl(const LinkControl&) = delete;
  LinkControl& operator=(const LinkControl&) = delete;
  ~LinkControl();

  // Each returns one line naming the device and the step on failure.
  Expected<void, std::string> set_up(std::string_view device);
  Expected<void, std::string> set_mtu(std::string_view device, unsigned mtu);
  // The device's IPv4 address and prefix length (0..32); the kernel adds the route to the prefix itself once
  // the device is up.
  Expected<void, std::string> set_ipv4(std::string_view device, asio::ip::address_v4 address,
                                       unsigned prefix);
  // A route to destination/prefix out of `device`, no gateway (a TUN device is point-to-point: whatever is
  // routed to it is read from its descriptor). 0.0.0.0/0 is the default route. A route that exists already
  // is not an error.
  Expected<void, std::string> add_route(std::string_view device, asio::ip::address_v4 destination,
                                        unsigned prefix);

 private:
  explicit LinkControl(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace endhost::core
