#include "core/log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace endhost::core {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

void append_json_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
}

std::string format_utc_micros(std::int64_t unix_micros) {
  std::time_t secs = static_cast<std::time_t>(unix_micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, unix_micros % 1'000'000);
}

namespace {

// Text values that contain spaces or quotes are quoted so that a line still splits into key=value pairs.
void append_text_value(std::string& out, std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" \"=\t\n") == std::string_view::npos;
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  append_json_escaped(out, v);
  out += '"';
}

}  // namespace

std::string Logger::format_line(LogFormat format, std::int64_t unix_micros, LogLevel level,
                                std::string_view message, std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  if (format == LogFormat::Json) {
    line += "{\"ts\":\"";
    line += format_utc_micros(unix_micros);
    line += "\",\"level\":\"";
    line += to_string(level);
    line += "\",\"msg\":\"";
    append_json_escaped(line, message);
    line += '"';
    for (const auto& f : fields) {
      line += ",\"";
      append_json_escaped(line, f.key);
      line += "\":";
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
              line += '"';
              append_json_escaped(line, v);
              line += '"';
            } else if constexpr (std::is_same_v<V, bool>) {
              line += v ? "true" : "false";
            } else {
              line += fmt::format("{}", v);
            }
          },
          f.value);
    }
    line += "}\n";
    return line;
  }
  line += format_utc_micros(unix_micros);
  line += ' ';
  std::string_view lvl = to_string(level);
  for (char c : lvl) line += static_cast<char>(c - 'a' + 'A');
  line += ' ';
  line += message;
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string_view>) {
            append_text_value(line, v);
          } else if constexpr (std::is_same_v<V, bool>) {
            line += v ? "true" : "false";
          } else {
            line += fmt::format("{}", v);
          }
        },
        f.value);
  }
  line += '\n';
  return line;
}

Logger::Logger(LogFormat format, LogLevel min_level, std::FILE* out)
    : format_(format), min_level_(min_level), out_(out) {}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string line = format_line(format_, now, level, message, fields);
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace endhost::core
