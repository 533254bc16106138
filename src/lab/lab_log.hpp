// Where `endhost lab` logs: every line to STATE/lab.log, and to the terminal only once the map is printed
// (everything with --verbose, else warnings and errors), so that the map is the first thing a user sees. The
// core::Logger writes to a FILE*; this is one (fopencookie) that splits each whole line between the two.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::lab {

class LabLogStream {
 public:
  // Appends to `path` (created 0600 when missing). The error is a sentence.
  static Expected<std::unique_ptr<LabLogStream>, std::string> open(const std::string& path);
  ~LabLogStream();
  LabLogStream(const LabLogStream&) = delete;
  LabLogStream& operator=(const LabLogStream&) = delete;

  // The stream to give core::Logger; valid as long as this object.
  std::FILE* stream() const { return stream_; }
  // From now on lines also go to `terminal`: all of them, or only warnings and errors. With `replay`, the
  // lines logged so far are written there first.
  void show_on(std::FILE* terminal, bool everything, bool replay);

  // Whether a formatted log line (text or JSON, core/log.cpp) is a warning or an error.
  static bool is_warning(std::string_view line);

 private:
  LabLogStream() = default;
  static ssize_t write_cookie(void* self, const char* data, size_t size);
  void write_line(std::string_view line);

  std::mutex mutex_;
  std::FILE* file_ = nullptr;    // STATE/lab.log
  std::FILE* stream_ = nullptr;  // the cookie stream over this
  std::FILE* terminal_ = nullptr;
  bool everything_ = false;
  std::string partial_;  // a line not yet ended
  std::string so_far_;   // every line until show_on(), for its replay
};

}  // namespace endhost::lab
