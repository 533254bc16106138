#include "mail/store/disk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/durable_file.hpp"
#include "mail/store/file_name.hpp"

namespace endhost::mail::store::detail {

StoreError io_error(int code, std::string_view step, std::string_view path) {
  std::string m(step);
  m += ' ';
  m += path;
  m += ": ";
  m += std::strerror(code);
  StoreError::Kind kind = StoreError::Kind::Io;
  return StoreError{code, kind, std::move(m)};
}

Expected<DirStamp, int> stamp_of(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Unexpected(errno);
  if (!S_ISDIR(st.st_mode)) return Unexpected(ENOTDIR);
  return DirStamp{static_cast<std::int64_t>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec};
}

bool too_recent(const DirStamp& stamp, std::int64_t now_sec) {
  return stamp.sec >= now_sec - 1;
}

std::int64_t now_seconds() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec);
}

Expected<std::vector<DirEntry>, StoreError> list_dir(const std::string& dir, bool need_type) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Unexpected(io_error(errno, "cannot open the directory", dir));
  std::vector<DirEntry> out;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry entry{std::string(name), e->d_type == DT_DIR};
    if (need_type && e->d_type == DT_UNKNOWN) entry.directory = is_directory(dir + "/" + entry.name);
    out.push_back(std::move(entry));
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return Unexpected(io_error(err, "cannot read the directory", dir));
  return out;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expected<void, StoreError> fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unexpected(io_error(errno, "cannot open the directory", dir));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Unexpected(io_error(err, "cannot fsync the directory", dir));
  return {};
}

Expected<std::string, StoreError> read_file(const std::string& path, std::uint64_t max) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected(io_error(errno, "cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Unexpected(io_error(err, "cannot stat", path));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max) {
    ::close(fd);
    return Unexpected(
        StoreError{0, StoreError::Kind::TooBig, path + " is larger than " + std::to_string(max)});
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Unexpected(io_error(err, "cannot read", path));
    }
    if (n == 0) break;  // shrank meanwhile (another program rewrote it): what is there
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  ::close(fd);
  return out;
}

Expected<void, StoreError> write_durably(const std::string& path, std::string_view content) {
  core::DurableFileOptions options;
  options.mode = 0600;
  auto writer = core::DurableFileWriter::create(path, options);
  auto failed = [](const core::DurableFileError& e) {
    return Unexpected(StoreError{e.code, StoreError::Kind::Io, e.message});
  };
  if (!writer) return failed(writer.error());
  if (auto ok = writer->write(content); !ok) return failed(ok.error());
  if (auto ok = writer->commit(); !ok) return failed(ok.error());
  return {};
}

Expected<Measured, StoreError> measure(const std::string& path, bool read_vsize) {
  if (!read_vsize) {
    // One stat(), not open+fstat+close: a folder of 100,000 files taken in at once (a rebuild, a first
    // SELECT) makes this call for each.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Unexpected(io_error(errno, "cannot stat", path));
    if (!S_ISREG(st.st_mode)) return Unexpected(io_error(EISDIR, "not a regular file", path));
    return Measured{static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtim.tv_sec)};
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected(io_error(errno, "cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Unexpected(io_error(err, "cannot stat", path));
  }
  Measured m{static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_size),
             static_cast<std::int64_t>(st.st_mtim.tv_sec)};
  if (read_vsize) {
    CrlfSize crlf;
    char buf[64 * 1024];
    std::uint64_t total = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return Unexpected(io_error(err, "cannot read", path));
      }
      if (n == 0) break;
      total += static_cast<std::uint64_t>(n);
      crlf.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    m.size = total;
    m.vsize = crlf.size();
  }
  ::close(fd);
  return m;
}

}  // namespace endhost::mail::store::detail
