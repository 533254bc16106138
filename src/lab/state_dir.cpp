#include "lab/state_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
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

namespace {

std::string runtime_dir() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  return runtime && *runtime ? runtime : "/tmp";
}

std::string pointer_prefix() {
  return fmt::format("endhost-lab-{}-", ::geteuid());
}

constexpr std::string_view kPointerSuffix = ".current";

// The pointer at `path`, when it is a regular file of this user's (never trust one another user could have
// planted in a shared /tmp) holding "STATE_DIR\nPID\n".
std::optional<RunningLabPointer> read_pointer(const std::string& path, std::string_view net) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  bool ours = ::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && S_ISREG(st.st_mode);
  ::close(fd);
  if (!ours) return std::nullopt;
  auto text = read_small_file(path, 4096);
  if (!text) return std::nullopt;
  const auto nl = text->find('\n');
  if (nl == std::string::npos || nl == 0) return std::nullopt;
  RunningLabPointer p;
  p.net = std::string(net);
  p.state_dir = text->substr(0, nl);
  const std::string pid = text->substr(nl + 1, text->find('\n', nl + 1) - nl - 1);
  char* end = nullptr;
  p.pid = std::strtoll(pid.c_str(), &end, 10);
  if (pid.empty() || !end || *end != '\0') return std::nullopt;
  return p;
}

// The next net after `net` (127.21 after 127.20) that no live lab of this user holds.
std::string free_net_after(std::string_view net) {
  unsigned n = 0;
  if (net.size() > 4)
    n = static_cast<unsigned>(std::strtoul(std::string(net.substr(4)).c_str(), nullptr, 10));
  for (unsigned i = 1; i < 256; ++i) {
    const std::string candidate = fmt::format("127.{}", (n + i) % 256);
    if (candidate == "127.0") continue;  // 127.0.0.1 is everyone's localhost
    if (!lab_on_net(candidate)) return candidate;
  }
  return "127.21";
}

}  // namespace

std::string lab_pointer_path(std::string_view net) {
  return fmt::format("{}/{}{}{}", runtime_dir(), pointer_prefix(), net, kPointerSuffix);
}

bool lab_process_alive(std::int64_t pid) {
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  return !comm || (std::getline(comm, name) && name.find("endhost") != std::string::npos);
}

std::optional<RunningLabPointer> lab_on_net(std::string_view net) {
  auto p = read_pointer(lab_pointer_path(net), net);
  if (!p || !lab_process_alive(p->pid)) return std::nullopt;
  return p;
}

std::vector<RunningLabPointer> running_labs() {
  std::vector<RunningLabPointer> out;
  std::error_code ec;
  const std::string prefix = pointer_prefix();
  for (const auto& entry : std::filesystem::directory_iterator(runtime_dir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + kPointerSuffix.size() || name.rfind(prefix, 0) != 0 ||
        !name.ends_with(kPointerSuffix))
      continue;
    const std::string net = name.substr(prefix.size(), name.size() - prefix.size() - kPointerSuffix.size());
    if (auto p = lab_on_net(net)) out.push_back(std::move(*p));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.net < b.net; });
  return out;
}

Expected<std::optional<std::string>, std::string> find_running_lab(const std::optional<std::string>& net) {
  if (net) {
    auto p = lab_on_net(*net);
    if (!p) return std::optional<std::string>();
    return std::optional<std::string>(p->state_dir);
  }
  auto labs = running_labs();
  if (labs.empty()) return std::optional<std::string>();
  if (labs.size() == 1) return std::optional<std::string>(labs.front().state_dir);
  std::string nets;
  for (const auto& l : labs) nets += (nets.empty() ? "" : ", ") + l.net;
  return Unexpected(fmt::format("several labs are running ({}): say which with --net or --state", nets));
}

Expected<NetClaim, std::string> NetClaim::claim(const std::string& net, const std::string& state_dir) {
  const std::string path = lab_pointer_path(net);
  const std::string text = fmt::format("{}\n{}\n", state_dir, ::getpid());
  if (auto held = read_pointer(path, net); held && lab_process_alive(held->pid) && held->pid != ::getpid()) {
    return Unexpected(fmt::format("a lab is already running on {} (pid {}, state {}); use --net {}", net,
                                  held->pid, held->state_dir, free_net_after(net)));
  }
  // No live holder (none, or a stale pointer of a lab that died): ours, replaced atomically. In a shared /tmp
  // another user may own a file of this name; rename() then fails (sticky bit) instead of following it.
  if (auto ok = core::write_file_durably(path, text); !ok) return Unexpected(ok.error());
  NetClaim c;
  c.path_ = path;
  c.text_ = text;
  return c;
}

NetClaim::NetClaim(NetClaim&& other) noexcept
    : path_(std::exchange(other.path_, {})), text_(std::exchange(other.text_, {})) {}

NetClaim& NetClaim::operator=(NetClaim&& other) noexcept {
  if (this != &other) {
    NetClaim old(std::move(*this));
    path_ = std::exchange(other.path_, {});
    text_ = std::exchange(other.text_, {});
  }
  return *this;
}

NetClaim::~NetClaim() {
  if (path_.empty()) return;
  // Another lab may have replaced a pointer it found stale (ours cannot be, while we live, but be careful).
  auto text = read_small_file(path_, 4096);
  if (text && *text == text_) ::unlink(path_.c_str());
}

}  // namespace endhost::lab
