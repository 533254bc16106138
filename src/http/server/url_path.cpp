#include "http/server/url_path.hpp"

namespace endhost::web {

namespace {

int hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::string_view describe(PathError e) noexcept {
  switch (e) {
    case PathError::bad_escape:
      return "malformed percent-escape in the path";
    case PathError::nul:
      return "NUL byte in the path";
    case PathError::above_root:
      return "the path climbs above the root";
    case PathError::not_absolute:
      return "the path does not start with '/'";
    case PathError::too_long:
      return "the path is too long";
  }
  return "bad path";
}

TargetParts split_target(std::string_view target) noexcept {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}, false};
  return {target.substr(0, q), target.substr(q + 1), true};
}

AbsoluteParts split_absolute(std::string_view target) noexcept {
  const std::size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return {{}, target};
  std::string_view rest = target.substr(scheme_end + 3);
  const std::size_t end = rest.find_first_of("/?");
  if (end == std::string_view::npos) return {rest, "/"};
  // "http://h?q" yields "?q": an empty path, which callers treat as "/" (RFC 9112 §3.2.1).
  return {rest.substr(0, end), rest.substr(end)};
}

bool percent_decode(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    out += c;
  }
  return true;
}

Expected<PathInfo, PathError> resolve_path(std::string_view path, std::string& out, std::size_t max_length) {
  out.clear();
  PathInfo info;
  if (path.empty() || path.front() != '/') return Unexpected(PathError::not_absolute);
  // Decode segment by segment straight into `out`, applying RFC 3986 §5.2.4's remove_dot_segments as each
  // decoded segment completes. A decoded '/' (from %2F) separates segments like a literal one: for a file
  // server there is no file name with a slash in it, and treating it otherwise would let "..%2F" through.
  std::size_t seg_start = 0;  // where the current segment begins in `out`
  auto finish_segment = [&]() -> Expected<void, PathError> {
    const std::string_view seg = std::string_view(out).substr(seg_start);
    if (seg.empty() || seg == ".") {
      out.resize(seg_start);
    } else if (seg == "..") {
      // Drop "..", then the previous segment and its separator.
      out.resize(seg_start);
      if (seg_start == 0) return Unexpected(PathError::above_root);
      std::size_t prev_end = seg_start - 1;  // the '/' before ".."
      const std::size_t slash = std::string_view(out).substr(0, prev_end).rfind('/');
      out.resize(slash == std::string_view::npos ? 0 : slash + 1);
    } else {
      out += '/';
    }
    seg_start = out.size();
    return {};
  };
  for (std::size_t i = 1; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return Unexpected(PathError::bad_escape);
      const int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
      if (hi < 0 || lo < 0) return Unexpected(PathError::bad_escape);
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (c == '\0') return Unexpected(PathError::nul);
    } else if (c == '\0') {
      return Unexpected(PathError::nul);
    }
    if (c == '/') {
      if (auto ok = finish_segment(); !ok) return Unexpected(ok.error());
      continue;
    }
    out += c;
    if (out.size() > max_length) return Unexpected(PathError::too_long);
  }
  // The last segment: a trailing "/." or "/.." names a directory, like a trailing slash.
  const std::string_view last = std::string_view(out).substr(seg_start);
  const bool ended_in_slash = path.back() == '/' || last == "." || last == "..";
  if (!last.empty()) {
    if (auto ok = finish_segment(); !ok) return Unexpected(ok.error());
  }
  if (!out.empty() && out.back() == '/') out.pop_back();
  info.trailing_slash = ended_in_slash;
  // A segment that starts with '.' (".git", ".env", ".htpasswd") is hidden. ".." and "." are gone by now.
  std::string_view rest = out;
  bool first = true;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.front() == '.' && !(first && seg == ".well-known")) {
      info.hidden = true;
      break;
    }
    first = false;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return info;
}

void append_path_encoded(std::string& out, std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : in) {
    if (unreserved(c) || c == '/') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
}

}  // namespace endhost::web
