// Virtual paths: what a client names (`../etc/passwd`, `/pub/./a//b`, `sub dir/x`) resolved against the
// session's current directory to one normalized absolute path under the session's root `/`. `..` stops at
// the root, so no spelling leaves it; the I/O then opens the path below the real root with openat2
// RESOLVE_BENEATH, which also refuses symlinks that point out. Pure text: no file is looked at here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::ftp {

enum class PathError {
  Nul,      // a NUL byte: no file name has one (and C APIs would cut the name there)
  TooLong,  // the result is over the limit (PATH_MAX)
};

std::string_view describe(PathError error);

// `arg` absolute (`/a/b`) or relative to `cwd` (itself normalized and absolute); empty `arg` is `cwd`.
// The result starts with `/`, has no `.`, `..`, empty components or trailing `/` (except the root itself).
Expected<std::string, PathError> resolve_path(std::string_view cwd, std::string_view arg,
                                              std::size_t max_length = 4096);

// Whether normalized `path` is `dir` or below it (`/incoming/a` is within `/incoming`, `/incomingx` is not).
bool is_within(std::string_view path, std::string_view dir);

// The last component (`/a/b` → `b`; `/` → `/`).
std::string_view base_name(std::string_view path);

// RFC 959 Appendix II: a pathname in a 257 reply is quoted, with each `"` in it doubled.
std::string quote_path(std::string_view path);

}  // namespace endhost::ftp
