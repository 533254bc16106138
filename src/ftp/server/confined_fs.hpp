// The file system one FTP login sees: a directory (the user's home under --root) that no path can leave.
// Every virtual path ("/a/b", already normalized by ftp::resolve_path) is opened relative to the home's
// descriptor with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): "..", absolute paths and symlinks that
// point outside (absolute or relative) fail in the kernel with EXDEV, race-free — a symlink swapped in
// between a check and the open cannot win. Operations on a last component (MKD, RMD, DELE, RNFR/RNTO, SITE
// CHMOD, uploads) open its parent that way and act on the single name with the *at() calls, which do not
// follow a symlink in that name.
//
// Errors are errno values (the session maps them to 550/553/552/450). The methods are const and touch only
// descriptors, so one ConfinedFs may be used from a blocking-pool thread while its session waits.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "ftp/listing.hpp"

namespace endhost::ftp::server {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// An errno: ENOENT, EACCES, EXDEV (leaves the home), ENOTDIR, EEXIST, ENOTEMPTY, ENOSPC, EISDIR…
using FsErr = int;

// A file opened for reading, with its facts.
struct OpenedFile {
  UniqueFd fd;
  struct stat st {};
};

// A parent directory opened beneath the home and the last component of the path.
struct OpenedParent {
  UniqueFd dir;
  std::string name;
};

// Reads a directory in batches, so a 100,000-entry directory is streamed rather than held (each batch on
// the blocking pool).
class DirReader {
 public:
  DirReader() = default;
  explicit DirReader(UniqueFd dir);
  DirReader(DirReader&& o) noexcept;
  DirReader& operator=(DirReader&& o) noexcept;
  ~DirReader();
  DirReader(const DirReader&) = delete;
  DirReader& operator=(const DirReader&) = delete;

  // Up to `max` more entries (lstat facts; "." and ".." and names holding CR or LF left out: they could not
  // be listed unambiguously). Empty once the directory is exhausted. `dot_files`: names starting with '.'.
  Expected<std::vector<EntryFacts>, FsErr> next(std::size_t max, bool dot_files);
  bool done() const { return done_; }
  int fd() const;

 private:
  void* dir_ = nullptr;  // DIR*
  bool done_ = false;
};

class ConfinedFs {
 public:
  // Opens `root` and then `home` (relative to it; "" or "/" is the root itself) beneath it. The home must
  // exist and be a directory.
  static Expected<ConfinedFs, std::string> open(const std::filesystem::path& root, std::string_view home);
  // Another view of the same root, confined to `home` (each login's own).
  Expected<ConfinedFs, std::string> with_home(std::string_view home) const;

  // `vpath` → the path relative to the home ("/" → "."). Refuses (EACCES) a path with a ".." or "." segment
  // or a NUL: ftp::resolve_path never gives one, this is the second line of defence.
  static Expected<std::string, FsErr> relative(std::string_view vpath);

  // lstat() facts of what `vpath` names; the name in the facts is its last segment ("/" for the home).
  Expected<EntryFacts, FsErr> stat(std::string_view vpath) const;
  // stat() of what it resolves to (a symlink inside the home is followed, one leading out is EXDEV).
  Expected<EntryFacts, FsErr> stat_follow(std::string_view vpath) const;
  // For RETR: a regular file opened read-only (EISDIR for a directory, EACCES for anything else).
  Expected<OpenedFile, FsErr> open_read(std::string_view vpath) const;
  // For CWD: ENOTDIR unless `vpath` is a directory that may be entered.
  Expected<void, FsErr> check_dir(std::string_view vpath) const;
  // For LIST/NLST/MLSD.
  Expected<DirReader, FsErr> open_dir(std::string_view vpath) const;
  // The parent of `vpath` opened beneath the home, for creating or replacing its last segment. EACCES for
  // the home itself (it has no parent here).
  Expected<OpenedParent, FsErr> open_parent(std::string_view vpath) const;

  Expected<void, FsErr> mkdir(std::string_view vpath, unsigned mode = 0755) const;
  Expected<void, FsErr> rmdir(std::string_view vpath) const;
  Expected<void, FsErr> unlink(std::string_view vpath) const;  // files and symlinks, never directories
  Expected<void, FsErr> rename(std::string_view from, std::string_view to) const;
  Expected<void, FsErr> chmod(std::string_view vpath, unsigned mode) const;
  // Bytes free for an unprivileged user on the file system of the home (statvfs f_bavail).
  Expected<std::uint64_t, FsErr> free_bytes() const;

  int home_fd() const { return home_->get(); }

 private:
  ConfinedFs(std::shared_ptr<UniqueFd> root, std::shared_ptr<UniqueFd> home)
      : root_(std::move(root)), home_(std::move(home)) {}

  std::shared_ptr<UniqueFd> root_;
  std::shared_ptr<UniqueFd> home_;
};

// lstat facts → EntryFacts.
EntryFacts facts_of(std::string name, const struct stat& st);

// openat2(dir, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), retried on EINTR/EAGAIN. -1 with errno.
int open_beneath(int dir, const char* path, std::uint64_t flags) noexcept;

}  // namespace endhost::ftp::server
