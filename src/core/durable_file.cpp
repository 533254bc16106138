#include "core/durable_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace endhost::core {

namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Expected<void, std::string> write_file_durably(const std::string& path, std::string_view content,
                                               std::optional<std::int64_t> mtime, unsigned mode) {
  const std::string dir = dir_of(path);
  // mkstemp: a fresh name in the target's directory (rename is atomic only within one file system).
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return Unexpected(fmt::format("cannot create a file in {}: {}", dir, std::strerror(errno)));
  auto fail = [&](const char* what) {
    const int e = errno;
    ::close(fd);
    ::unlink(name.data());
    return Unexpected(fmt::format("cannot {} {}: {}", what, path, std::strerror(e)));
  };
  // mkstemp made the file 0600, so a private file is never readable by others, not even for a moment.
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("set the mode of");
  if (!write_all(fd, content)) return fail("write");
  if (::fsync(fd) != 0) return fail("sync");
  if (mtime) {
    struct timespec times[2];
    times[0].tv_sec = static_cast<time_t>(*mtime);
    times[0].tv_nsec = 0;
    times[1] = times[0];
    if (::futimens(fd, times) != 0) return fail("set the time of");
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(name.data());
    return Unexpected(fmt::format("cannot write {}: {}", path, std::strerror(e)));
  }
  if (::rename(name.data(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(name.data());
    return Unexpected(fmt::format("cannot rename into {}: {}", path, std::strerror(e)));
  }
  // The rename is durable only once the directory entry is on disk.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Unexpected(fmt::format("cannot open directory {}: {}", dir, std::strerror(errno)));
  const int rc = ::fsync(dfd);
  const int e = errno;
  ::close(dfd);
  if (rc != 0) return Unexpected(fmt::format("cannot sync directory {}: {}", dir, std::strerror(e)));
  return {};
}

}  // namespace endhost::core
