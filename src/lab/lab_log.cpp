#include "lab/lab_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace endhost::lab {

namespace {

// Kept only until the map is printed; a lab whose start logs more than this replays the first part.
constexpr std::size_t kMaxReplay = 1u << 20;

}  // namespace

Expected<std::unique_ptr<LabLogStream>, std::string> LabLogStream::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  std::FILE* file = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (!file) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    return Unexpected(fmt::format("cannot open the lab's log {}: {} (give --state another directory)", path,
                                  std::strerror(e)));
  }
  std::unique_ptr<LabLogStream> s(new LabLogStream());
  s->file_ = file;
  cookie_io_functions_t io{};
  io.write = &LabLogStream::write_cookie;
  s->stream_ = ::fopencookie(s.get(), "w", io);
  if (!s->stream_) return Unexpected(fmt::format("cannot log to {}: {}", path, std::strerror(errno)));
  return s;
}

LabLogStream::~LabLogStream() {
  if (stream_) std::fclose(stream_);  // flushes through write_cookie
  if (file_) std::fclose(file_);
}

bool LabLogStream::is_warning(std::string_view line) {
  // JSON: {"ts":"…","level":"warn",…}; text: "2026-…Z WARN message …".
  if (line.starts_with("{")) {
    return line.find("\"level\":\"warn\"") != std::string_view::npos ||
           line.find("\"level\":\"error\"") != std::string_view::npos;
  }
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view level = line.substr(space + 1, 6);
  return level.starts_with("WARN ") || level.starts_with("ERROR ");
}

ssize_t LabLogStream::write_cookie(void* self, const char* data, size_t size) {
  auto* s = static_cast<LabLogStream*>(self);
  std::lock_guard lock(s->mutex_);
  s->partial_.append(data, size);
  std::size_t start = 0;
  for (auto nl = s->partial_.find('\n'); nl != std::string::npos; nl = s->partial_.find('\n', start)) {
    s->write_line(std::string_view(s->partial_).substr(start, nl + 1 - start));
    start = nl + 1;
  }
  s->partial_.erase(0, start);
  return static_cast<ssize_t>(size);
}

void LabLogStream::write_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
  if (terminal_) {
    if (everything_ || is_warning(line)) {
      std::fwrite(line.data(), 1, line.size(), terminal_);
      std::fflush(terminal_);
    }
  } else if (so_far_.size() < kMaxReplay) {
    so_far_.append(line);
  }
}

void LabLogStream::show_on(std::FILE* terminal, bool everything, bool replay) {
  std::lock_guard lock(mutex_);
  if (replay) {
    std::string_view rest = so_far_;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
      if (everything || is_warning(line)) std::fwrite(line.data(), 1, line.size(), terminal);
      rest.remove_prefix(line.size());
    }
    std::fflush(terminal);
  }
  so_far_.clear();
  so_far_.shrink_to_fit();
  terminal_ = terminal;
  everything_ = everything;
}

}  // namespace endhost::lab
