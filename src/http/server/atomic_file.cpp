#include "http/server/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "core/system_random.hpp"

namespace endhost::web {

namespace {

// ".name.endhost-<random>": hidden (the server does not serve dotfiles by default) and unique.
std::string temporary_name(const std::string& name) {
  core::SystemRandom random;
  std::string t = ".";
  t += name.substr(0, 200);
  t += ".endhost-";
  t += random.hex(8);
  return t;
}

}  // namespace

int AtomicFile::create(int dir, std::string name, mode_t mode) {
  discard();
  dir_ = dir;
  name_ = std::move(name);
  size_ = 0;
  published_ = false;
  int fd = ::openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // No O_TMPFILE on this file system: a named temporary, removed by discard() if never published.
    for (int attempt = 0; attempt < 4 && fd < 0; ++attempt) {
      temp_name_ = temporary_name(name_);
      fd = ::openat(dir, temp_name_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
      if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) temp_name_.clear();
  }
  if (fd < 0) return errno;
  fd_ = Fd(fd);
  // O_TMPFILE ignores the umask only partly; make the mode what the caller asked for.
  ::fchmod(fd, mode);
  return 0;
}

int AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return 0;
}

int AtomicFile::sync() {
  return ::fsync(fd_.get()) == 0 ? 0 : errno;
}

int AtomicFile::publish(bool& replaced) {
  struct stat st {};
  replaced = ::fstatat(dir_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (replaced && S_ISDIR(st.st_mode)) return EISDIR;
  if (temp_name_.empty()) {
    // Give the unnamed file a (hidden) name, then rename it over the target: rename is the atomic step.
    char proc[64];
    std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd_.get());
    for (int attempt = 0; attempt < 4; ++attempt) {
      temp_name_ = temporary_name(name_);
      if (::linkat(AT_FDCWD, proc, dir_, temp_name_.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
      const int err = errno;
      temp_name_.clear();
      if (err != EEXIST) return err;
    }
    if (temp_name_.empty()) return EEXIST;
  }
  if (::renameat(dir_, temp_name_.c_str(), dir_, name_.c_str()) != 0) return errno;
  temp_name_.clear();
  published_ = true;
  return 0;
}

int AtomicFile::sync_dir() {
  return ::fsync(dir_) == 0 ? 0 : errno;
}

void AtomicFile::discard() {
  if (!published_ && !temp_name_.empty() && dir_ >= 0) ::unlinkat(dir_, temp_name_.c_str(), 0);
  temp_name_.clear();
  fd_.reset();
}

}  // namespace endhost::web
