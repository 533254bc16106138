#include "core/link_control.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/net_namespace.hpp"

namespace endhost::core {

namespace {

std::string failure(std::string_view step, std::string_view device, int error) {
  return "cannot " + std::string(step) + " " + std::string(device) + ": " + std::strerror(error);
}

// IFNAMSIZ counts the terminating NUL: a name has at most 15 bytes.
bool fill_name(ifreq& ifr, std::string_view device) {
  std::memset(&ifr, 0, sizeof ifr);
  if (device.empty() || device.size() >= IFNAMSIZ) return false;
  std::memcpy(ifr.ifr_name, device.data(), device.size());
  return true;
}

sockaddr_in ipv4(asio::ip::address_v4 address) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(address.to_uint());
  return sin;
}

asio::ip::address_v4 netmask(unsigned prefix) {
  return asio::ip::address_v4(prefix == 0 ? 0u : ~0u << (32 - prefix));
}

Expected<void, std::string> bad_name(std::string_view device) {
  return Unexpected("'" + std::string(device) + "' is not a device name (1 to 15 bytes)");
}

}  // namespace

Expected<LinkControl, std::string> LinkControl::here() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unexpected("cannot open a control socket: " + std::string(std::strerror(errno)));
  return LinkControl(fd);
}

Expected<LinkControl, std::string> LinkControl::inside(const NetNamespace& ns) {
  ScopedNetns in(ns);
  if (!in) return Unexpected(in.message());
  return here();
}

LinkControl& LinkControl::operator=(LinkControl&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

LinkControl::~LinkControl() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<void, std::string> LinkControl::set_up(std::string_view device) {
  ifreq ifr;
  if (!fill_name(ifr, device)) return bad_name(device);
  if (::ioctl(fd_, SIOCGIFFLAGS, &ifr) != 0) return Unexpected(failure("read the flags of", device, errno));
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(fd_, SIOCSIFFLAGS, &ifr) != 0) return Unexpected(failure("bring up", device, errno));
  return {};
}

Expected<void, std::string> LinkControl::set_mtu(std::string_view device, unsigned mtu) {
  ifreq ifr;
  if (!fill_name(ifr, device)) return bad_name(device);
  ifr.ifr_mtu = static_cast<int>(mtu);
  if (::ioctl(fd_, SIOCSIFMTU, &ifr) != 0)
    return Unexpected(failure("set MTU " + std::to_string(mtu) + " on", device, errno));
  return {};
}

Expected<void, std::string> LinkControl::set_ipv4(std::string_view device, asio::ip::address_v4 address,
                                                  unsigned prefix) {
  if (prefix > 32) return Unexpected("prefix length /" + std::to_string(prefix) + " is longer than 32");
  ifreq ifr;
  if (!fill_name(ifr, device)) return bad_name(device);
  const std::string shown = address.to_string() + "/" + std::to_string(prefix);
  sockaddr_in sin = ipv4(address);
  std::memcpy(&ifr.ifr_addr, &sin, sizeof sin);
  if (::ioctl(fd_, SIOCSIFADDR, &ifr) != 0)
    return Unexpected(failure("give " + shown + " to", device, errno));
  // SIOCSIFADDR gives the address its class's netmask; the prefix is set after it.
  sin = ipv4(netmask(prefix));
  std::memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
  if (::ioctl(fd_, SIOCSIFNETMASK, &ifr) != 0)
    return Unexpected(failure("set the prefix of " + shown + " on", device, errno));
  return {};
}

Expected<void, std::string> LinkControl::add_route(std::string_view device, asio::ip::address_v4 destination,
                                                   unsigned prefix) {
  if (prefix > 32) return Unexpected("prefix length /" + std::to_string(prefix) + " is longer than 32");
  if (device.empty() || device.size() >= IFNAMSIZ) return bad_name(device);
  const std::string shown = destination.to_string() + "/" + std::to_string(prefix);
  rtentry rt{};
  sockaddr_in sin = ipv4(destination);
  std::memcpy(&rt.rt_dst, &sin, sizeof sin);
  sin = ipv4(netmask(prefix));
  std::memcpy(&rt.rt_genmask, &sin, sizeof sin);
  sin = ipv4(asio::ip::address_v4::any());
  std::memcpy(&rt.rt_gateway, &sin, sizeof sin);
  rt.rt_flags = RTF_UP | (prefix == 32 ? RTF_HOST : 0);
  std::string name(device);  // rt_dev is a char*, read during the call only
  rt.rt_dev = name.data();
  if (::ioctl(fd_, SIOCADDRT, &rt) != 0 && errno != EEXIST)
    return Unexpected(failure("add a route to " + shown + " via", device, errno));
  return {};
}

}  // namespace endhost::core
