#include "http/server/file_access.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace endhost::web {

void Fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

// Whether the kernel has openat2 (Linux 5.6+). Valgrind and some seccomp sandboxes answer ENOSYS too. A
// process-wide fact about the kernel, learnt once; relaxed ordering is enough (both answers are safe).
std::atomic<bool> g_no_openat2{false};

// Without openat2: every segment is opened with O_NOFOLLOW, so no symlink is followed at all. Stricter than
// RESOLVE_BENEATH (which allows symlinks that stay inside the root), never looser.
int open_walk(int dir, const char* path, int flags) noexcept {
  int cur = dir;
  for (;;) {
    const char* slash = std::strchr(path, '/');
    if (slash == nullptr) {
      const int fd = ::openat(cur, path, flags | O_NOFOLLOW);
      const int err = errno;
      if (cur != dir) ::close(cur);
      errno = err;
      return fd;
    }
    char segment[256];
    const auto n = static_cast<std::size_t>(slash - path);
    if (n >= sizeof segment) {
      if (cur != dir) ::close(cur);
      errno = ENAMETOOLONG;
      return -1;
    }
    std::memcpy(segment, path, n);
    segment[n] = '\0';
    const int next = ::openat(cur, segment, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    if (cur != dir) ::close(cur);
    if (next < 0) {
      errno = err;
      return -1;
    }
    cur = next;
    path = slash + 1;
  }
}

int openat2_beneath(int dir, const char* path, std::uint64_t flags, bool follow_symlinks) noexcept {
  if (!g_no_openat2.load(std::memory_order_relaxed)) {
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
      if (errno != ENOSYS) return -1;
      g_no_openat2.store(true, std::memory_order_relaxed);
      break;
    }
  }
  // The path never holds ".." (url_path.hpp removed them), so a plain openat cannot climb out except through
  // a symlink, which --follow-symlinks allows.
  if (follow_symlinks) return ::openat(dir, path, static_cast<int>(flags));
  return open_walk(dir, path, static_cast<int>(flags));
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

int stat_beneath(int root_fd, const std::string& relative, bool follow_symlinks, struct stat& st) noexcept {
  const char* path = relative.empty() ? "." : relative.c_str();
  const int fd = openat2_beneath(root_fd, path, O_PATH | O_CLOEXEC, follow_symlinks);
  if (fd < 0) return errno;
  const Fd owned(fd);
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
