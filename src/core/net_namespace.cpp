#include "core/net_namespace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

#include "core/link_control.hpp"

namespace endhost::core {

namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

std::string path_of(std::string_view name) {
  return std::string(NetNamespace::kRunDir) + "/" + std::string(name);
}

// Names become file names under /run/netns and parts of `ip netns exec NAME` lines: no '/', no leading '.',
// nothing a shell would read twice.
Expected<void, std::string> check_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return Unexpected("network namespace name '" + std::string(name) + "' must have 1 to 64 characters");
  if (name.front() == '.')
    return Unexpected("network namespace name '" + std::string(name) + "' must not begin with '.'");
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok)
      return Unexpected("network namespace name '" + std::string(name) +
                        "' may hold only letters, digits, '-', '_' and '.'");
  }
  return {};
}

// iproute2 makes /run/netns a shared mount point (bind-mounting it on itself first when it is not a mount
// point), so that a namespace added later is visible in every mount namespace that copied this one, such
// as the one `ip netns exec` makes.
Expected<void, std::string> prepare_run_dir() {
  const std::string dir(NetNamespace::kRunDir);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Unexpected("cannot create " + dir + ": " + errno_text(errno));
  if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
  if (errno != EINVAL) return Unexpected("cannot make " + dir + " a shared mount: " + errno_text(errno));
  if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0)
    return Unexpected("cannot bind-mount " + dir + " on itself: " + errno_text(errno));
  if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0)
    return Unexpected("cannot make " + dir + " a shared mount: " + errno_text(errno));
  return {};
}

std::uint64_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

struct Home {
  int fd = -1;
  int error = 0;
};

// The namespace a thread returns to when it leaves its outermost scope: the process's, opened once. The first
// ScopedNetns of the process opens it, from a thread that is not inside any scope yet.
const Home& home() {
  static const Home h = [] {
    Home made;
    made.fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (made.fd < 0) made.error = errno;
    return made;
  }();
  return h;
}

// The descriptor of the NetNamespace this thread is inside; -1: its home.
thread_local int t_inside = -1;

}  // namespace

Expected<NetNamespace, std::string> NetNamespace::create(std::string name) {
  if (auto ok = check_name(name); !ok) return Unexpected(ok.error());
  if (auto ok = prepare_run_dir(); !ok) return Unexpected(ok.error());
  const std::string path = path_of(name);
  const int placeholder = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (placeholder < 0) {
    if (errno == EEXIST) return Unexpected("a network namespace named " + name + " exists already");
    return Unexpected("cannot create " + path + ": " + errno_text(errno));
  }
  ::close(placeholder);

  // unshare(CLONE_NEWNET) moves the calling thread for good, so a thread of its own does it and ends; the
  // bind mount and the descriptor keep the namespace alive after it.
  int fd = -1;
  std::string error;
  auto make = [&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      error = "cannot make network namespace " + name + ": " + errno_text(errno);
      return;
    }
    const std::string self = "/proc/self/task/" + std::to_string(::gettid()) + "/ns/net";
    if (::mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
      error = "cannot bind-mount network namespace " + name + " on " + path + ": " + errno_text(errno);
      return;
    }
    fd = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open network namespace " + name + ": " + errno_text(errno);
      return;
    }
    // A new namespace has only lo, and down: 127.0.0.1 would not answer.
    auto control = LinkControl::here();
    if (!control) {
      error = control.error();
      return;
    }
    if (auto up = control->set_up("lo"); !up) error = up.error() + " in network namespace " + name;
  };
  try {
    std::thread maker(make);
    maker.join();
  } catch (const std::system_error& e) {
    error = "cannot start a thread to make network namespace " + name + ": " + e.what();
  }
  if (!error.empty()) {
    if (fd >= 0) ::close(fd);
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
    return Unexpected(std::move(error));
  }
  const std::uint64_t inode = inode_of(fd);
  return NetNamespace(std::move(name), fd, inode);
}

Expected<NetNamespace, std::string> NetNamespace::open(std::string name) {
  if (auto ok = check_name(name); !ok) return Unexpected(ok.error());
  const std::string path = path_of(name);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Unexpected("there is no network namespace named " + name);
    return Unexpected("cannot open " + path + ": " + errno_text(errno));
  }
  // A file that is not (or no longer) a bind mount of a namespace: the placeholder of a creation that died
  // half-way.
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0 || fs.f_type != NSFS_MAGIC || ::ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
    ::close(fd);
    return Unexpected(path + " is not a network namespace (left by a creation that failed? remove it)");
  }
  const std::uint64_t inode = inode_of(fd);
  return NetNamespace(std::move(name), fd, inode);
}

Expected<void, std::string> NetNamespace::remove(std::string_view name) {
  if (auto ok = check_name(name); !ok) return Unexpected(ok.error());
  const std::string path = path_of(name);
  // EINVAL: not a mount point (a placeholder), which unlink removes all the same.
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return Unexpected("cannot unmount " + path + ": " + errno_text(errno));
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Unexpected("there is no network namespace named " + std::string(name));
    return Unexpected("cannot remove " + path + ": " + errno_text(errno));
  }
  return {};
}

Expected<std::vector<std::string>, std::string> NetNamespace::list(std::string_view prefix) {
  std::vector<std::string> names;
  const std::string dir(kRunDir);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    return Unexpected("cannot read " + dir + ": " + errno_text(errno));
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    if (n.substr(0, prefix.size()) == prefix) names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

NetNamespace::NetNamespace(NetNamespace&& other) noexcept
    : name_(std::move(other.name_)), fd_(other.fd_), inode_(other.inode_) {
  other.fd_ = -1;
}

NetNamespace& NetNamespace::operator=(NetNamespace&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    name_ = std::move(other.name_);
    fd_ = other.fd_;
    inode_ = other.inode_;
    other.fd_ = -1;
  }
  return *this;
}

NetNamespace::~NetNamespace() {
  if (fd_ >= 0) ::close(fd_);
}

ScopedNetns::ScopedNetns(const NetNamespace& ns) noexcept : ns_(ns) {
  if (ns.fd() < 0) {
    error_ = EBADF;
    return;
  }
  if (t_inside == ns.fd()) return;
  const Home& h = home();
  if (h.fd < 0) {
    error_ = h.error;
    return;
  }
  if (::setns(ns.fd(), CLONE_NEWNET) != 0) {
    error_ = errno;
    return;
  }
  previous_fd_ = t_inside >= 0 ? t_inside : h.fd;
  outer_ = t_inside;
  t_inside = ns.fd();
}

ScopedNetns::~ScopedNetns() {
  if (previous_fd_ < 0) return;
  // A thread left in the wrong namespace would put every later socket of its loop on the wrong host without
  // a word; that is worse than stopping. setns back to a namespace we hold open fails only with ENOMEM, or
  // EPERM when privileges were dropped inside the scope, which nothing does.
  if (::setns(previous_fd_, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "endhost: cannot leave network namespace %s: %s\n", ns_.name().c_str(),
                 std::strerror(errno));
    std::abort();
  }
  t_inside = outer_;
}

std::string ScopedNetns::message() const {
  if (error_ == 0) return {};
  return "cannot enter network namespace " + ns_.name() + ": " + errno_text(error_);
}

std::uint64_t current_netns_inode() {
  struct stat st {};
  return ::stat("/proc/thread-self/ns/net", &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

}  // namespace endhost::core
