// Writing a whole file so that a crash leaves either the old file or the new one, never a torn one, and so
// that once this returns the new file survives a power cut: temp file, fsync, rename, fsync of the directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::core {

// Replaces `path` with `content` (mode 0644, or `mode`: 0600 for private keys); with `mtime` (seconds since
// the epoch), the file's modification time is set before it appears. The error says which step failed and
// why.
Expected<void, std::string> write_file_durably(const std::string& path, std::string_view content,
                                               std::optional<std::int64_t> mtime = std::nullopt,
                                               unsigned mode = 0644);

}  // namespace endhost::core
