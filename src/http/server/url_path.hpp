// From a request-target to a file path under a document root, without touching the file system: split off the
// query, percent-decode, then normalize (RFC 3986 §2.1, §5.2.4). Decoding comes first, so `%2e%2e` and `%2F`
// get the same treatment as `..` and `/`; nothing that leaves the root survives. Pure and allocation-free
// when the caller reuses its output string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::web {

enum class PathError : std::uint8_t {
  bad_escape,    // `%` not followed by two hex digits
  nul,           // a decoded NUL byte: never part of a file name, and truncates C strings
  above_root,    // a `..` segment that would climb out of the root
  not_absolute,  // the path does not start with `/`
  too_long,      // longer than the caller's limit after decoding
};

std::string_view describe(PathError e) noexcept;

// The path and query of an origin-form target (RFC 9112 §3.2.1): "/a/b?x=1" → {"/a/b", "x=1"}.
struct TargetParts {
  std::string_view path;
  std::string_view query;  // without the '?'; empty when there is none
  bool has_query = false;
};
TargetParts split_target(std::string_view target) noexcept;

// The authority and the origin-form part of an absolute-form target (RFC 9112 §3.2.2):
// "http://h:8/p?q" → {"h:8", "/p?q"}; "http://h" → {"h", "/"}; "http://h?q" → {"h", "?q"} (an empty path,
// which means "/").
struct AbsoluteParts {
  std::string_view authority;
  std::string_view origin;
};
AbsoluteParts split_absolute(std::string_view target) noexcept;

// What resolve_path() found besides the path itself.
struct PathInfo {
  bool trailing_slash = false;  // the decoded path ended with '/' (a directory was asked for)
  bool hidden = false;          // a segment starts with '.' (dotfiles are hidden unless the server says so)
};

// Decodes and normalizes `path` (which starts with '/') into `out` as a relative path: segments joined by
// '/', no leading slash, no empty, `.` or `..` segments; "" is the root itself. `.well-known` as the first
// segment is not counted as hidden (RFC 8615 puts site metadata there). `out` is cleared first.
Expected<PathInfo, PathError> resolve_path(std::string_view path, std::string& out,
                                           std::size_t max_length = 4096);

// Percent-decodes `in` into `out` (appending). False on a bad escape.
bool percent_decode(std::string_view in, std::string& out);

// Appends `in` percent-encoded for use as a path in a URL: unreserved characters and "/" stay, everything
// else becomes %XX (RFC 3986 §2.1, §2.3). Used for Location and the links of directory listings.
void append_path_encoded(std::string& out, std::string_view in);

}  // namespace endhost::web
