// Internal to src/http: the two passes every head and trailer section goes through. scan_block() finds where
// a block of CRLF-terminated lines ends, resuming where the last call stopped so a head that arrives a byte
// at a time costs O(n), and enforces the size limits before the block is complete. parse_field_lines() then
// splits the complete block into FieldViews in one pass.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/expected.hpp"
#include "http/error.hpp"
#include "http/fields.hpp"

namespace endhost::http::detail {

struct BlockScanLimits {
  std::size_t max_first_line;  // 0: the block has no start line (a trailer section)
  std::size_t max_total;
  Errc total_error;  // head_too_large or bad_trailer
  bool skip_leading_empty_lines;
};

// Resumable state: offsets into the buffer, so the caller may move its bytes between calls as long as the
// unconsumed prefix stays the same.
struct BlockScanner {
  std::size_t pos = 0;         // bytes already searched for LF
  std::size_t line_start = 0;  // where the current line begins
  std::size_t first_line = 0;  // where the start line begins (after skipped empty lines)
  bool in_first_line = true;

  void reset(bool has_first_line) noexcept { *this = BlockScanner{.in_first_line = has_first_line}; }
  // The end of the block (offset just past its final CRLF), 0 if it is not complete yet, or an error.
  Expected<std::size_t, Errc> scan(std::string_view buf, const BlockScanLimits& limits) noexcept;
};

// Splits `block` (field lines, each ending in CRLF, then the empty line's CRLF, as checked by scan_block)
// into `out`, at most `capacity` entries. Returns how many fields were stored.
Expected<std::size_t, Errc> parse_field_lines(std::string_view block, FieldView* out, std::size_t capacity,
                                              Errc too_many) noexcept;

// Whether a Host value (or CONNECT authority when `require_port`) is uri-host [":" port] (RFC 9110 §7.2).
bool valid_host(std::string_view host, bool require_port) noexcept;

}  // namespace endhost::http::detail
