// Range requests answered from a complete stored response (RFC 9110 §14): one byte range gives a 206 with
// Content-Range, an unsatisfiable set a 416, and anything we do not serve as ranges (several ranges, other
// units, bad syntax, a failed If-Range) the whole 200, which §14.2 allows ("a server MAY ignore Range").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/fields.hpp"

namespace endhost::http::cache {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t size() const noexcept { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeKind : std::uint8_t { full, partial, unsatisfiable };

struct RangeDecision {
  RangeKind kind = RangeKind::full;
  ByteRange range;  // for partial
};

// §14.1.2 over a representation of `length` bytes. `range` is the Range field value (nullopt: none).
RangeDecision evaluate_range(std::optional<std::string_view> range, std::uint64_t length) noexcept;

// §13.1.5: whether If-Range lets the range apply to the stored response: a strong ETag equal to the stored
// one, or an HTTP-date equal to its Last-Modified. No If-Range at all also returns true.
bool if_range_allows(std::optional<std::string_view> if_range, const Fields& stored) noexcept;

// "bytes 0-99/1234" for a 206, "bytes */1234" for a 416 (§14.4).
std::string content_range(const RangeDecision& d, std::uint64_t length);

}  // namespace endhost::http::cache
