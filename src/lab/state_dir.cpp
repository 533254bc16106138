#include "lab/state_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/durable_file.hpp"

namespace endhost::lab {

namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

}  // namespace

Expected<StateDir, std::string> StateDir::open(const std::string& requested, bool keep) {
  if (requested.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/endhost-lab-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) {
      return Unexpected(fmt::format("cannot create a state directory like {}: {} (give one with --state DIR)",
                                    templ, errno_text(errno)));
    }
    return StateDir(buf.data(), true, keep);
  }
  std::error_code ec;
  std::filesystem::create_directories(requested, ec);
  if (ec) {
    return Unexpected(fmt::format("cannot create the state directory {}: {} (choose another with --state)",
                                  requested, ec.message()));
  }
  if (!std::filesystem::is_directory(requested, ec)) {
    return Unexpected(fmt::format("--state {}: not a directory", requested));
  }
  if (::access(requested.c_str(), W_OK) != 0) {
    return Unexpected(fmt::format("--state {}: not writable: {}", requested, errno_text(errno)));
  }
  return StateDir(std::filesystem::absolute(requested).lexically_normal().string(), false, keep);
}

StateDir::StateDir(StateDir&& other) noexcept
    : path_(std::move(other.path_)), temporary_(other.temporary_), keep_(other.keep_) {
  other.temporary_ = false;
  other.path_.clear();
}

StateDir::~StateDir() {
  if (temporary_ && !keep_ && !path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

Expected<void, std::string> make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Unexpected(fmt::format("cannot create {}: {}", path, ec.message()));
  return {};
}

Expected<std::string, std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected(fmt::format("cannot open {}: {}", path, errno_text(errno)));
  std::string out;
  char chunk[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Unexpected(fmt::format("cannot read {}: {}", path, errno_text(e)));
    }
    if (n == 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Unexpected(fmt::format("{} is larger than {} bytes", path, max_bytes));
    }
  }
  ::close(fd);
  return out;
}

std::string current_lab_pointer() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = runtime && *runtime ? runtime : "/tmp";
  return fmt::format("{}/endhost-lab-{}.current", dir, ::geteuid());
}

Expected<void, std::string> publish_current_lab(const std::string& state_dir) {
  // In a shared /tmp another user may own a file of this name; rename() then fails (sticky bit) instead of
  // following it, and the lab runs on without a pointer.
  return core::write_file_durably(current_lab_pointer(), state_dir + "\n");
}

void retract_current_lab(const std::string& state_dir) {
  std::string pointer = current_lab_pointer();
  auto text = read_small_file(pointer, 4096);
  if (text && *text == state_dir + "\n") ::unlink(pointer.c_str());
}

std::optional<std::string> find_current_lab() {
  std::string pointer = current_lab_pointer();
  int fd = ::open(pointer.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  bool ours = ::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && S_ISREG(st.st_mode);
  ::close(fd);
  if (!ours) return std::nullopt;  // never trust a pointer another user could have planted
  auto text = read_small_file(pointer, 4096);
  if (!text || text->empty()) return std::nullopt;
  std::string dir = text->substr(0, text->find('\n'));
  if (::access((dir + "/lab.json").c_str(), R_OK) != 0) return std::nullopt;
  return dir;
}

}  // namespace endhost::lab
