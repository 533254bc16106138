// A TUN device inside a network namespace: the lab host's only interface besides lo. Every IP packet the
// host's kernel routes out of it is read from the descriptor, one packet per read, and every packet written
// to the descriptor arrives at the host as if from a wire; the lab's link emulator (src/netem) sits between
// the descriptors of all hosts.
//
// - IFF_TUN | IFF_NO_PI: bare IP packets, no 4-byte packet-information header, no Ethernet.
// - Non-blocking and close-on-exec; the device lives while the descriptor is open (not TUNSETPERSIST), so a
//   killed lab leaves no device behind, and removing the namespace removes it too.
// - Offloads stay off (no TUNSETOFFLOAD, no IFF_VNET_HDR): the kernel segments TSO/GSO traffic before it
//   reaches the device, so every packet read is at most the MTU; a read buffer of mtu() bytes suffices, and
//   the emulator's rate accounting sees the packets a real link would carry.
// - IPv6 is disabled on the device (net.ipv6.conf.NAME.disable_ipv6 = 1 in its namespace) before it goes
//   up: the lab's addresses are IPv4, and otherwise the kernel would send router solicitations and MLD
//   reports into the emulator. A kernel without IPv6 is not an error.
#pragma once

#include <string>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/link_control.hpp"

namespace endhost::core {

class NetNamespace;

struct TunConfig {
  std::string name = "eth0";     // the device's name inside its namespace, at most 15 bytes
  asio::ip::address_v4 address;  // the host's address
  unsigned prefix_length = 15;   // 198.18.0.0/15 (RFC 2544) by default: every lab host on one "wire"
  unsigned mtu = 1500;
  bool default_route = true;  // a default route out of the device (so any address is reached through it)
};

class TunDevice {
 public:
  // Opens /dev/net/tun and creates the device while inside `ns` (the device belongs to the namespace the
  // descriptor was opened in), then sets its MTU and address, disables IPv6 on it, brings it up and adds the
  // default route if asked. `ns` is used during the call only.
  static Expected<TunDevice, std::string> create(const NetNamespace& ns, const TunConfig& config);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  ~TunDevice();  // closes the descriptor, which removes the device

  // The packet descriptor: read(2) returns one IP packet or EAGAIN; write(2) injects one.
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  unsigned mtu() const { return mtu_; }

  // Changes at run time, through the control socket made in the device's namespace at creation.
  Expected<void, std::string> set_mtu(unsigned mtu);
  Expected<void, std::string> add_route(asio::ip::address_v4 destination, unsigned prefix);

 private:
  TunDevice(int fd, std::string name, unsigned mtu, LinkControl control)
      : fd_(fd), name_(std::move(name)), mtu_(mtu), control_(std::move(control)) {}

  int fd_ = -1;
  std::string name_;
  unsigned mtu_ = 0;
  LinkControl control_;
};

}  // namespace endhost::core
