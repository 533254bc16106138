#include "lab/network/tcp_congestion.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace endhost::lab {

std::string lab_congestion_control(std::string_view allowed) {
  std::size_t i = 0;
  while (i < allowed.size()) {
    const auto start = allowed.find_first_not_of(" \t\n", i);
    if (start == std::string_view::npos) break;
    const auto end = std::min(allowed.find_first_of(" \t\n", start), allowed.size());
    if (allowed.substr(start, end - start) == "cubic") return "cubic";
    i = end;
  }
  return "reno";
}

namespace {

// A whole small file (a sysctl) as text, opened on this thread (in its namespace).
Expected<std::string, std::string> read_sysctl(std::string_view path) {
  const int fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

Expected<void, std::string> write_sysctl(std::string_view path, const std::string& value) {
  const int fd = ::open(std::string(path).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  const ssize_t n = ::write(fd, value.data(), value.size());
  const int saved = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Unexpected(fmt::format("cannot write {} to {}: {}", value, path, std::strerror(saved)));
  return {};
}

}  // namespace

Expected<std::string, std::string> set_lab_congestion_control(const core::NetNamespace& ns) {
  const core::ScopedNetns inside(ns);
  if (!inside) return Unexpected(inside.message());
  auto allowed = read_sysctl(kAllowedCongestionControlSysctl);
  if (!allowed) return Unexpected(allowed.error());
  std::string chosen = lab_congestion_control(*allowed);
  if (auto ok = write_sysctl(kCongestionControlSysctl, chosen); !ok)
    return Unexpected(fmt::format("network namespace {}: {}", ns.name(), ok.error()));
  return chosen;
}

}  // namespace endhost::lab
