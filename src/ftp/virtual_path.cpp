#include "ftp/virtual_path.hpp"

#include <vector>

namespace endhost::ftp {

std::string_view describe(PathError error) {
  switch (error) {
    case PathError::Nul:
      return "NUL in path";
    case PathError::TooLong:
      return "path too long";
  }
  return "bad path";
}

Expected<std::string, PathError> resolve_path(std::string_view cwd, std::string_view arg,
                                              std::size_t max_length) {
  if (arg.find('\0') != std::string_view::npos || cwd.find('\0') != std::string_view::npos) {
    return Unexpected(PathError::Nul);
  }
  // Bound the work before splitting: the input can be no longer than a line, but say so anyway.
  if (arg.size() > max_length * 2 + 2 || cwd.size() > max_length) return Unexpected(PathError::TooLong);
  std::vector<std::string_view> parts;
  const auto add = [&parts](std::string_view s) {
    while (!s.empty()) {
      const std::size_t slash = s.find('/');
      const std::string_view part = s.substr(0, slash);
      s = slash == std::string_view::npos ? std::string_view() : s.substr(slash + 1);
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();  // at the root `..` is the root (as in POSIX)
        continue;
      }
      parts.push_back(part);
    }
  };
  if (arg.empty() || arg.front() != '/') add(cwd);
  add(arg);
  std::string out;
  for (const std::string_view part : parts) {
    out += '/';
    out += part;
    if (out.size() > max_length) return Unexpected(PathError::TooLong);
  }
  if (out.empty()) out = "/";
  return out;
}

bool is_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  if (path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

std::string_view base_name(std::string_view path) {
  if (path == "/" || path.empty()) return path;
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string quote_path(std::string_view path) {
  std::string out = "\"";
  for (const char c : path) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

}  // namespace endhost::ftp
