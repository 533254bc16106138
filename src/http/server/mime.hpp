// The media type of a file from its name (RFC 9110 §8.3): a fixed table of common extensions, the way nginx's
// mime.types works. Text types carry `charset=utf-8`; `compressible` says whether gzip/br/zstd pay off, which
// decides both precompressed siblings and on-the-fly compression.
#pragma once

#include <string_view>

namespace endhost::web {

struct MimeType {
  std::string_view type;  // the full Content-Type value, e.g. "text/html; charset=utf-8"
  bool compressible = false;
};

// Looks at the last extension of `filename` (case-insensitive): "a.tar.gz" → application/gzip. Unknown or
// missing extensions give application/octet-stream (RFC 9110 §8.3: a sender that does not know the type
// should not guess; octet-stream makes browsers download rather than sniff).
MimeType mime_type_for(std::string_view filename) noexcept;

}  // namespace endhost::web
