#include "core/tun_device.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/net_namespace.hpp"

namespace endhost::core {

namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// /proc/sys/net shows the namespace of the thread that opens the file, so this runs inside the scope.
Expected<void, std::string> disable_ipv6(const std::string& device) {
  const std::string path = "/proc/sys/net/ipv6/conf/" + device + "/disable_ipv6";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};  // no IPv6 in this kernel: nothing to disable
    return Unexpected("cannot disable IPv6 on " + device + ": " + errno_text(errno));
  }
  const bool ok = ::write(fd, "1", 1) == 1;
  const int error = errno;
  ::close(fd);
  if (!ok) return Unexpected("cannot disable IPv6 on " + device + ": " + errno_text(error));
  return {};
}

}  // namespace

Expected<TunDevice, std::string> TunDevice::create(const NetNamespace& ns, const TunConfig& config) {
  if (config.name.empty() || config.name.size() >= IFNAMSIZ)
    return Unexpected("TUN device name '" + config.name + "' must have 1 to 15 characters");
  if (config.prefix_length > 32)
    return Unexpected("prefix length /" + std::to_string(config.prefix_length) + " is longer than 32");
  const std::string where = " in network namespace " + ns.name();
  int fd = -1;
  auto control = [&]() -> Expected<LinkControl, std::string> {
    ScopedNetns in(ns);
    if (!in) return Unexpected(in.message());
    fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return Unexpected("cannot open /dev/net/tun: " + errno_text(errno));
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::memcpy(ifr.ifr_name, config.name.data(), config.name.size());
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0)
      return Unexpected("cannot create TUN device " + config.name + where + ": " + errno_text(errno));
    if (auto off = disable_ipv6(config.name); !off) return Unexpected(off.error() + where);
    return LinkControl::here();
  }();
  if (!control) {
    if (fd >= 0) ::close(fd);
    return Unexpected(control.error());
  }
  TunDevice device(fd, config.name, config.mtu, std::move(*control));
  auto& c = device.control_;
  if (auto ok = c.set_mtu(config.name, config.mtu); !ok) return Unexpected(ok.error() + where);
  if (auto ok = c.set_ipv4(config.name, config.address, config.prefix_length); !ok)
    return Unexpected(ok.error() + where);
  if (auto ok = c.set_up(config.name); !ok) return Unexpected(ok.error() + where);
  if (config.default_route) {
    if (auto ok = c.add_route(config.name, asio::ip::address_v4::any(), 0); !ok)
      return Unexpected(ok.error() + where);
  }
  return device;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(other.fd_), name_(std::move(other.name_)), mtu_(other.mtu_), control_(std::move(other.control_)) {
  other.fd_ = -1;
}

TunDevice& TunDevice::operator=(TunDevice&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    name_ = std::move(other.name_);
    mtu_ = other.mtu_;
    control_ = std::move(other.control_);
    other.fd_ = -1;
  }
  return *this;
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<void, std::string> TunDevice::set_mtu(unsigned mtu) {
  if (auto ok = control_.set_mtu(name_, mtu); !ok) return ok;
  mtu_ = mtu;
  return {};
}

Expected<void, std::string> TunDevice::add_route(asio::ip::address_v4 destination, unsigned prefix) {
  return control_.add_route(name_, destination, prefix);
}

}  // namespace endhost::core
