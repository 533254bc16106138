#include "lab/network/network_probe.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string_view>
#include <thread>

namespace endhost::lab {

namespace {

// capabilities(7): the bits of CapEff.
constexpr std::uint64_t kCapNetAdmin = std::uint64_t{1} << 12;
constexpr std::uint64_t kCapSysAdmin = std::uint64_t{1} << 21;

std::uint64_t effective_capabilities() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    std::string_view hex(line);
    hex.remove_prefix(7);
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec == std::errc() && p != hex.data()) return v;
    break;
  }
  return ::geteuid() == 0 ? ~std::uint64_t{0} : 0;  // no /proc: what the kernel gives root by default
}

}  // namespace

NetworkProbe probe_network() {
  NetworkProbe p;
  const std::uint64_t caps = effective_capabilities();
  p.net_admin = (caps & kCapNetAdmin) != 0;
  p.sys_admin = (caps & kCapSysAdmin) != 0;
  // unshare(2) changes the calling thread's namespace for good: on a thread of its own, which then ends and
  // takes the new namespace with it.
  int unshare_errno = 0;
  std::thread([&unshare_errno] {
    if (::unshare(CLONE_NEWNET) != 0) unshare_errno = errno;
  }).join();
  p.unshare = unshare_errno == 0;
  if (!p.unshare) p.unshare_error = std::strerror(unshare_errno);
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  p.tun = fd >= 0;
  if (fd >= 0) {
    ::close(fd);
  } else {
    p.tun_error = std::strerror(errno);
  }
  return p;
}

EmulationMeans emulation_means(const NetworkProbe& probe) {
  std::string missing;
  if (!probe.net_admin || !probe.sys_admin) {
    missing = !probe.net_admin && !probe.sys_admin ? "not root (no CAP_NET_ADMIN, no CAP_SYS_ADMIN)"
              : !probe.net_admin                   ? "no CAP_NET_ADMIN"
                                                   : "no CAP_SYS_ADMIN (needed to name namespaces)";
  } else if (!probe.unshare) {
    missing = "cannot make a network namespace (unshare: " + probe.unshare_error + ")";
  } else if (!probe.tun) {
    missing = "cannot open /dev/net/tun (" + probe.tun_error + "; modprobe tun)";
  }
  if (missing.empty())
    return {true, "CAP_NET_ADMIN and /dev/net/tun: each host in a network namespace of its own"};
  return {false, missing};
}

}  // namespace endhost::lab
