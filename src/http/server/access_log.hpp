// Where access log lines go: a file (opened O_APPEND, and re-opened on SIGHUP so logs can be rotated) or
// standard output ("-"). Each event loop has its own descriptor and buffer, so logging takes no lock: lines
// are appended to the loop's buffer and written in batches of whole lines, each write(2) at most PIPE_BUF
// bytes, so lines from different loops never interleave, even on a pipe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace endhost::web {

class AccessLog {
 public:
  AccessLog(std::string path, std::size_t loops);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Opens the destination for every loop (at start-up). The error is a sentence for a human.
  Expected<void, std::string> open();

  // The buffer of loop `loop`; append whole lines. Use on that loop's thread only.
  std::string& buffer(std::size_t loop) { return loops_[loop].buf; }
  // Writes what is buffered (on the loop's thread).
  void flush(std::size_t loop);
  // Writes when enough has piled up.
  void flush_if_full(std::size_t loop) {
    if (loops_[loop].buf.size() >= kFlushAt) flush(loop);
  }
  // Flushes, closes and opens the file again, for log rotation (on the loop's thread). Standard output is
  // left alone. False if the file could not be opened again (the old one is kept).
  bool reopen(std::size_t loop);

  const std::string& path() const { return path_; }
  bool to_stdout() const { return path_ == "-"; }

 private:
  static constexpr std::size_t kFlushAt = 16 * 1024;
  struct alignas(64) PerLoop {
    int fd = -1;
    std::string buf;
  };
  int open_file() const;

  std::string path_;
  std::vector<PerLoop> loops_;
};

}  // namespace endhost::web
