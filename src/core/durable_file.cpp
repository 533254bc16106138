#include "core/durable_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/system_random.hpp"

namespace endhost::core {

namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// ".name.endhost-<random>": hidden (the web server does not serve dotfiles by default) and unique.
std::string hidden_temp_name(const std::string& target) {
  SystemRandom random;
  return fmt::format(".{}.endhost-{}", base_of(target).substr(0, 200), random.hex(8));
}

}  // namespace

DurableFileError DurableFileWriter::error(const char* step, const std::string& what, int code) const {
  return DurableFileError{code, fmt::format("cannot {} {}: {}", step, what, std::strerror(code))};
}

Expected<DurableFileWriter, DurableFileError> DurableFileWriter::create(const std::string& path,
                                                                        DurableFileOptions options) {
  if (options.temp_dir.empty()) options.temp_dir = dir_of(path);
  return create_at(AT_FDCWD, path, std::move(options));
}

Expected<DurableFileWriter, DurableFileError> DurableFileWriter::create_at(int dir, const std::string& name,
                                                                           DurableFileOptions options) {
  DurableFileWriter w;
  w.dir_ = dir;
  w.name_ = name;
  w.sync_ = options.sync;
  w.temp_dir_ = options.temp_dir.empty() ? std::string(".") : options.temp_dir;
  const auto mode = static_cast<mode_t>(options.mode);
  int fd = -1;
  if (options.unnamed_temp && options.temp_name.empty()) {
    fd = ::openat(dir, w.temp_dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      return Unexpected(w.error("create a file in", w.temp_dir_, errno));
  }
  if (fd < 0) {
    // A named temporary, created private (0600) and removed by abort() if never published.
    for (int attempt = 0; attempt < 4 && fd < 0; ++attempt) {
      w.temp_ = join(w.temp_dir_, options.temp_name.empty() ? hidden_temp_name(name) : options.temp_name);
      fd = ::openat(dir, w.temp_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0 && (errno != EEXIST || !options.temp_name.empty())) break;
    }
    if (fd < 0) {
      const int e = errno;
      w.temp_.clear();
      return Unexpected(w.error("create a file in", w.temp_dir_, e));
    }
  }
  w.fd_ = fd;
  // The umask (and O_TMPFILE's partial use of it) must not decide the mode.
  if (::fchmod(fd, mode) != 0) return Unexpected(w.error("set the mode of", name, errno));
  return w;
}

DurableFileWriter::DurableFileWriter(DurableFileWriter&& o) noexcept {
  *this = std::move(o);
}

DurableFileWriter& DurableFileWriter::operator=(DurableFileWriter&& o) noexcept {
  if (this != &o) {
    abort();
    dir_ = std::exchange(o.dir_, -1);
    fd_ = std::exchange(o.fd_, -1);
    name_ = std::move(o.name_);
    temp_ = std::exchange(o.temp_, std::string());
    temp_dir_ = std::move(o.temp_dir_);
    sync_ = o.sync_;
    size_ = std::exchange(o.size_, 0);
    published_ = std::exchange(o.published_, false);
  }
  return *this;
}

DurableFileWriter::~DurableFileWriter() {
  abort();
}

void DurableFileWriter::abort() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!published_ && !temp_.empty() && dir_ != -1) ::unlinkat(dir_, temp_.c_str(), 0);
  temp_.clear();
}

Expected<void, DurableFileError> DurableFileWriter::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unexpected(error("write", name_, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

Expected<void, DurableFileError> DurableFileWriter::write_at(std::string_view data, std::uint64_t offset) {
  auto off = static_cast<off_t>(offset);
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_, data.data(), data.size(), off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unexpected(error("write", name_, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    off += n;
  }
  return {};
}

Expected<void, DurableFileError> DurableFileWriter::set_mtime(std::int64_t seconds) {
  struct timespec times[2];
  times[0].tv_sec = static_cast<time_t>(seconds);
  times[0].tv_nsec = 0;
  times[1] = times[0];
  if (::futimens(fd_, times) != 0) return Unexpected(error("set the time of", name_, errno));
  return {};
}

Expected<void, DurableFileError> DurableFileWriter::sync() {
  if (fd_ < 0) return Unexpected(DurableFileError{EBADF, "cannot sync " + name_ + ": the file is not open"});
  int rc = 0;
  if (sync_ == DurableSync::full) rc = ::fsync(fd_);
  if (sync_ == DurableSync::data) rc = ::fdatasync(fd_);
  if (rc != 0) return Unexpected(error("sync", name_, errno));
  return {};
}

Expected<bool, DurableFileError> DurableFileWriter::publish(Publish mode) {
  if (fd_ < 0)
    return Unexpected(DurableFileError{EBADF, "cannot publish " + name_ + ": the file is not open"});
  struct stat st {};
  const bool replaced = ::fstatat(dir_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (replaced && S_ISDIR(st.st_mode)) return Unexpected(error("replace", name_, EISDIR));
  if (temp_.empty()) {
    // Give the unnamed file a hidden name, then rename it over the target: rename is the atomic step
    // (linkat cannot replace). linkat by /proc path: AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH.
    char proc[64];
    std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd_);
    for (int attempt = 0; attempt < 4 && temp_.empty(); ++attempt) {
      std::string candidate = join(temp_dir_, hidden_temp_name(name_));
      if (::linkat(AT_FDCWD, proc, dir_, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        temp_ = std::move(candidate);
      } else if (errno != EEXIST) {
        return Unexpected(error("link a file into", temp_dir_, errno));
      }
    }
    if (temp_.empty()) return Unexpected(error("link a file into", temp_dir_, EEXIST));
  }
  // keep_existing: RENAME_NOREPLACE alone decides, atomically (a check before it could be overtaken); a file
  // system without it refuses with EINVAL, and the file is then refused rather than allowed to replace.
  const int rc = mode == Publish::keep_existing
                     ? ::renameat2(dir_, temp_.c_str(), dir_, name_.c_str(), RENAME_NOREPLACE)
                     : ::renameat(dir_, temp_.c_str(), dir_, name_.c_str());
  if (rc != 0) return Unexpected(error("rename into", name_, errno));
  temp_.clear();
  published_ = true;
  ::close(fd_);
  fd_ = -1;
  return replaced;
}

Expected<void, DurableFileError> DurableFileWriter::sync_dir() {
  if (sync_ == DurableSync::none) return {};
  // The directory holding the target: the caller's for create_at() with a plain name, else opened here.
  const std::string parent = dir_of(name_);
  const bool own = dir_ == AT_FDCWD || name_.find('/') != std::string::npos;
  const int dfd = own ? ::openat(dir_, parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : dir_;
  if (dfd < 0) return Unexpected(error("open directory", parent, errno));
  const int rc = ::fsync(dfd);
  const int e = errno;
  if (own) ::close(dfd);
  if (rc != 0) return Unexpected(error("sync directory", parent, e));
  return {};
}

Expected<bool, DurableFileError> DurableFileWriter::commit(Publish mode) {
  if (auto ok = sync(); !ok) return Unexpected(ok.error());
  auto replaced = publish(mode);
  if (!replaced) return replaced;
  if (auto ok = sync_dir(); !ok) return Unexpected(ok.error());
  return replaced;
}

Expected<void, std::string> write_file_durably(const std::string& path, std::string_view content,
                                               std::optional<std::int64_t> mtime, unsigned mode) {
  DurableFileOptions options;
  options.mode = mode;
  auto writer = DurableFileWriter::create(path, std::move(options));
  if (!writer) return Unexpected(writer.error().message);
  if (auto ok = writer->write(content); !ok) return Unexpected(ok.error().message);
  if (mtime) {
    if (auto ok = writer->set_mtime(*mtime); !ok) return Unexpected(ok.error().message);
  }
  if (auto ok = writer->commit(); !ok) return Unexpected(ok.error().message);
  return {};
}

}  // namespace endhost::core
