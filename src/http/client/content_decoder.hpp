// Streaming decoders for Content-Encoding (RFC 9110 §8.4.1): gzip and deflate (zlib), br (Brotli, RFC 7932)
// and zstd (RFC 8878), chained when a response lists several codings. `endhost fetch --compressed` asks for
// them and decodes as the body arrives, so a large body is never held whole. Decoded output is bounded by a
// ratio to the input so a tiny "decompression bomb" cannot fill the disk unasked; each decoder checks the
// bound after every 64 KiB it produces, so memory stays bounded too (one read cannot expand first).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::http {

class ContentDecoder {
 public:
  virtual ~ContentDecoder() = default;
  // Decodes `in`, appending to `out`. An error means the content is corrupt.
  virtual Expected<void, std::string> decode(std::string_view in, std::string& out) = 0;
  // The input ended: flushes, and fails if the encoded stream was incomplete.
  virtual Expected<void, std::string> finish(std::string& out) = 0;
};

// The codings we can decode, for Accept-Encoding.
inline constexpr std::string_view supported_encodings = "gzip, deflate, br, zstd";

// A decoder for a Content-Encoding value (a list, decoded from the last coding to the first). nullptr for
// identity (or no value); an error names a coding we do not support.
Expected<std::unique_ptr<ContentDecoder>, std::string> make_content_decoder(std::string_view content_encoding,
                                                                            std::uint64_t max_ratio = 1000);

}  // namespace endhost::http
