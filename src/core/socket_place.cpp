#include "core/socket_place.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace endhost::core {

namespace {

// Boost's error_category has a protected, non-virtual destructor by design (categories are static objects,
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot tell.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class NetnsCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "netns"; }
  std::string message(int ev) const override {
    return "cannot enter the network namespace: " + std::string(std::strerror(ev));
  }
};
#pragma GCC diagnostic pop

}  // namespace

std::string SocketPlace::describe() const {
  return netns ? "network namespace " + netns->name() : std::string("this process's network");
}

const boost::system::error_category& netns_category() {
  static const NetnsCategory category;
  return category;
}

int socket_in_place(int domain, int type, int protocol, const SocketPlace& place,
                    boost::system::error_code& ec) {
  if (place.maker != nullptr) {
    const int fd = place.maker->make(domain, type, protocol);
    if (fd < 0) ec.assign(errno, boost::system::system_category());
    return fd;
  }
  if (place.netns == nullptr) {
    const int fd = ::socket(domain, type, protocol);
    if (fd < 0) ec.assign(errno, boost::system::system_category());
    return fd;
  }
  ScopedNetns in(*place.netns);
  if (!in) {
    ec.assign(in.error(), netns_category());
    return -1;
  }
  const int fd = ::socket(domain, type, protocol);
  if (fd < 0) ec.assign(errno, boost::system::system_category());
  return fd;
}

int open_socket_fd(int domain, int type, int protocol, const SocketPlace& place) {
  boost::system::error_code ec;
  const int fd = socket_in_place(domain, type, protocol, place, ec);
  if (fd < 0) errno = ec.value();
  return fd;
}

}  // namespace endhost::core
