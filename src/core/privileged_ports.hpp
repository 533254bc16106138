// Whether this process may bind a port below 1024, and why, as a phrase: CAP_NET_BIND_SERVICE in the
// effective set (root's, or granted with setcap), or net.ipv4.ip_unprivileged_port_start at most that port.
// The lab picks its port mode with it, and a server's default port (25 for mail when allowed, else 2525).
#pragma once

#include <cstdint>
#include <string>

namespace endhost::core {

struct PrivilegedPorts {
  bool allowed = false;
  std::string why;
};

// The rule itself, for tests: `cap_eff` is the CapEff mask of /proc/self/status.
PrivilegedPorts privileged_ports(unsigned euid, std::uint64_t cap_eff, unsigned unprivileged_port_start,
                                 std::uint16_t port);
// This process: geteuid, CapEff of /proc/self/status, the sysctl.
PrivilegedPorts privileged_ports(std::uint16_t port);
bool may_bind_port(std::uint16_t port);

}  // namespace endhost::core
