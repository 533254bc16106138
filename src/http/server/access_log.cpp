#include "http/server/access_log.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace endhost::web {

AccessLog::AccessLog(std::string path, std::size_t loops) : path_(std::move(path)), loops_(loops) {}

AccessLog::~AccessLog() {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    flush(i);
    if (!to_stdout() && loops_[i].fd >= 0) ::close(loops_[i].fd);
  }
}

int AccessLog::open_file() const {
  return ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

Expected<void, std::string> AccessLog::open() {
  for (auto& l : loops_) {
    if (to_stdout()) {
      l.fd = STDOUT_FILENO;
      continue;
    }
    l.fd = open_file();
    if (l.fd < 0)
      return Unexpected("--access-log " + path_ + ": cannot open the file: " + std::strerror(errno));
  }
  return {};
}

void AccessLog::flush(std::size_t loop) {
  PerLoop& l = loops_[loop];
  std::string_view rest = l.buf;
  while (!rest.empty() && l.fd >= 0) {
    // Up to PIPE_BUF bytes, cut after a newline, so each write is atomic against the other loops' writes.
    std::size_t n = rest.size();
    if (n > PIPE_BUF) {
      const std::size_t nl = rest.substr(0, PIPE_BUF).rfind('\n');
      n = nl == std::string_view::npos ? PIPE_BUF : nl + 1;
    }
    const ssize_t w = ::write(l.fd, rest.data(), n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;  // disk full or the reader went away: drop the batch rather than block the loop
    rest.remove_prefix(static_cast<std::size_t>(w));
  }
  l.buf.clear();
}

bool AccessLog::reopen(std::size_t loop) {
  flush(loop);
  if (to_stdout()) return true;
  const int fd = open_file();
  if (fd < 0) return false;
  PerLoop& l = loops_[loop];
  if (l.fd >= 0) ::close(l.fd);
  l.fd = fd;
  return true;
}

}  // namespace endhost::web
