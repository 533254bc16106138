#include "core/privileged_ports.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <string_view>

namespace endhost::core {

PrivilegedPorts privileged_ports(unsigned euid, std::uint64_t cap_eff, unsigned unprivileged_port_start,
                                 std::uint16_t port) {
  // capabilities(7): binding below ip_unprivileged_port_start takes CAP_NET_BIND_SERVICE in the effective
  // set; root has it unless a container or a bounding set took it away.
  constexpr std::uint64_t kCapNetBindService = std::uint64_t{1} << 10;
  if ((cap_eff & kCapNetBindService) != 0)
    return {true, euid == 0 ? "running as root" : "CAP_NET_BIND_SERVICE is in effect"};
  if (port >= unprivileged_port_start) {
    return {true, fmt::format("net.ipv4.ip_unprivileged_port_start is {}", unprivileged_port_start)};
  }
  return {false, fmt::format("{}, no CAP_NET_BIND_SERVICE, net.ipv4.ip_unprivileged_port_start is {}",
                             euid == 0 ? "root" : "not root", unprivileged_port_start)};
}

PrivilegedPorts privileged_ports(std::uint16_t port) {
  const unsigned euid = ::geteuid();
  // Without /proc, assume what the kernel gives root by default, and the default sysctl.
  std::uint64_t cap_eff = euid == 0 ? ~std::uint64_t{0} : 0;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    std::string_view hex(line);
    hex.remove_prefix(7);
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec == std::errc() && p != hex.data()) cap_eff = v;
    break;
  }
  std::ifstream sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  unsigned start = 1024;
  if (!(sysctl >> start)) start = 1024;
  return privileged_ports(euid, cap_eff, start, port);
}

bool may_bind_port(std::uint16_t port) {
  return privileged_ports(port).allowed;
}

}  // namespace endhost::core
