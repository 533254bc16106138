#include "http/server/file_access.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace endhost::web {

void Fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

int openat2_beneath(int dir, const char* path, std::uint64_t flags, bool follow_symlinks) noexcept {
  struct open_how how {};
  how.flags = flags;
  // RESOLVE_NO_MAGICLINKS: /proc/self/fd/N style links are never followed. Without --follow-symlinks,
  // RESOLVE_BENEATH also makes absolute symlinks and any ".." that would escape fail with EXDEV.
  how.resolve = RESOLVE_NO_MAGICLINKS | (follow_symlinks ? 0 : RESOLVE_BENEATH);
  for (;;) {
    const long fd = ::syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno == EINTR) continue;
    // EAGAIN: a concurrent rename raced the lookup; a retry resolves it (openat2(2)).
    if (errno == EAGAIN) continue;
    return -1;
  }
}

}  // namespace

int open_root(const std::string& path, Fd& out) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  out = Fd(fd);
  return 0;
}

int open_beneath(int root_fd, const std::string& relative, bool follow_symlinks, Fd& out,
                 struct stat& st) noexcept {
  const char* path = relative.empty() ? "." : relative.c_str();
  const int fd =
      openat2_beneath(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, follow_symlinks);
  if (fd < 0) return errno;
  out = Fd(fd);
  if (::fstat(fd, &st) != 0) return errno;
  return 0;
}

int open_parent_beneath(int root_fd, const std::string& relative, bool follow_symlinks, Fd& out,
                        std::string& name) noexcept {
  const std::size_t slash = relative.rfind('/');
  std::string parent = slash == std::string::npos ? std::string(".") : relative.substr(0, slash);
  name = slash == std::string::npos ? relative : relative.substr(slash + 1);
  const int fd =
      openat2_beneath(root_fd, parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, follow_symlinks);
  if (fd < 0) return errno;
  out = Fd(fd);
  return 0;
}

}  // namespace endhost::web
