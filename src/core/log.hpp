// Structured logging for every service: readable text for people, or one JSON object per line for machines.
// A Logger is shared by all threads of a process; each call writes one whole line under a mutex, so lines
// never interleave. Logging is for events (start, bind, errors), never for the per-request hot path.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace endhost::core {

enum class LogFormat { Text, Json };
enum class LogLevel { Debug, Info, Warn, Error };

// One key=value pair of a log event. The view members borrow the caller's data for the duration of the call.
struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  template <class I>
  requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)LogField(std::string_view k, I v)
      : key(k), value(static_cast<std::int64_t>(v)) {}
};

class Logger {
 public:
  // `out` is not owned; it must outlive the logger. Stderr by default.
  explicit Logger(LogFormat format = LogFormat::Text, LogLevel min_level = LogLevel::Info,
                  std::FILE* out = stderr);

  void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void debug(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Debug, m, f); }
  void info(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Info, m, f); }
  void warn(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Warn, m, f); }
  void error(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Error, m, f); }

  bool enabled(LogLevel level) const { return level >= min_level_; }
  LogFormat format() const { return format_; }

  // Formats one event as a line (with the trailing newline) without writing it; exposed for tests.
  static std::string format_line(LogFormat format, std::int64_t unix_micros, LogLevel level,
                                 std::string_view message, std::initializer_list<LogField> fields);

 private:
  LogFormat format_;
  LogLevel min_level_;
  std::FILE* out_;
  std::mutex mutex_;
};

std::string_view to_string(LogLevel level);

// Appends `s` to `out` as the inside of a JSON string (quotes not included), escaping per RFC 8259 §7.
void append_json_escaped(std::string& out, std::string_view s);

// ISO 8601 UTC with microseconds: 2026-11-21T03:40:00.123456Z.
std::string format_utc_micros(std::int64_t unix_micros);

}  // namespace endhost::core
