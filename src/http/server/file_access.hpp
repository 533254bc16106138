// Opening files under a document root without ever leaving it: openat2(2) with RESOLVE_BENEATH refuses any
// path or symlink that resolves outside the root directory, in the kernel, race-free (a symlink swapped in
// between a check and the open cannot win). `--follow-symlinks` lifts only the symlink rule: the path itself
// never contains "..", url_path.hpp removed those.
#pragma once

#include <sys/stat.h>

#include <string>
#include <utility>

namespace endhost::web {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// Opens an existing directory to serve as a root (O_PATH would not allow readdir, so O_RDONLY). Returns the
// errno on failure.
int open_root(const std::string& path, Fd& out) noexcept;

// Opens `relative` (no leading slash, no "." or ".." segments; "" is the root itself) under `root_fd` for
// reading, and fstat()s it. O_NONBLOCK, so that a FIFO in the tree cannot block the event loop; callers
// refuse anything but regular files and directories. Returns 0 or the errno: ENOENT/ENOTDIR (404),
// EACCES/EPERM (403), EXDEV/ELOOP (a symlink that leaves the root or a loop: 403).
int open_beneath(int root_fd, const std::string& relative, bool follow_symlinks, Fd& out,
                 struct stat& st) noexcept;

// What `relative` resolves to under the same rules, without opening it for reading (O_PATH: no read
// permission needed, a FIFO cannot block): fstat()s it into `st`. Returns 0 or the errno as open_beneath
// does. Without openat2 no symlink is followed, and a symlink at the end is reported as itself (S_ISLNK).
int stat_beneath(int root_fd, const std::string& relative, bool follow_symlinks, struct stat& st) noexcept;

// The same resolution rules for creating or replacing: opens the parent directory of `relative` (which must
// exist and be a directory). `name` receives the last segment.
int open_parent_beneath(int root_fd, const std::string& relative, bool follow_symlinks, Fd& out,
                        std::string& name) noexcept;

}  // namespace endhost::web
