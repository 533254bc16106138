// Range requests (RFC 9110 §14): parsing `Range: bytes=…` against a representation's length, and laying out
// a multipart/byteranges body (§14.6) as text segments and file extents, so the session can send the file
// parts with sendfile(2) between the small part headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::web {

// An inclusive byte range within a representation of known length.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const noexcept { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome {
  ignore,         // no usable Range field: send 200 with the whole representation
  partial,        // send 206 with `ranges`
  unsatisfiable,  // send 416 with Content-Range: bytes */length
};

// Parses one Range value for a representation of `length` bytes. Per §14.2 the server ignores a Range with
// another unit or invalid syntax, and (our policy against amplification, as nginx's max_ranges) one with more
// than `max_ranges` ranges. Satisfiable ranges are clamped to the length; ranges none of which is
// satisfiable give 416. Overlapping or adjacent ranges are coalesced and the result is sorted (§14.2 allows
// it, and it bounds the response at the representation's size plus part headers).
RangeOutcome parse_range(std::string_view value, std::uint64_t length, std::size_t max_ranges,
                         std::vector<ByteRange>& ranges);

// "bytes 0-99/1234" (§14.4) and "bytes */1234" for 416.
void append_content_range(std::string& out, const ByteRange& r, std::uint64_t length);
void append_unsatisfied_range(std::string& out, std::uint64_t length);

// A multipart/byteranges body: for each part, `header` text then the file extent, then the closing
// delimiter. total_length is the exact body size for Content-Length.
struct ByterangesBody {
  struct Part {
    std::string header;  // "\r\n--BOUNDARY\r\nContent-Type: …\r\nContent-Range: …\r\n\r\n"
    ByteRange range;
  };
  std::vector<Part> parts;
  std::string trailer;  // "\r\n--BOUNDARY--\r\n"
  std::uint64_t total_length = 0;
};

// `boundary` must be 1-70 bchars (RFC 2046 §5.1.1) that do not occur in the content; the caller makes one
// unlikely to (a per-server random prefix and a counter).
void build_byteranges(const std::vector<ByteRange>& ranges, std::uint64_t length,
                      std::string_view content_type, std::string_view boundary, ByterangesBody& out);

}  // namespace endhost::web
