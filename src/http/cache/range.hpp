// Range requests answered from a complete stored response (RFC 9110 §14): one byte range gives a 206 with
// Content-Range, an unsatisfiable set a 416, and anything we do not serve as ranges (several ranges, other
// units, bad syntax, a failed If-Range) the whole 200, which §14.2 allows ("a server MAY ignore Range").
// And from a stored partial response (RFC 9111 §3.3): only a range wholly inside the bytes it holds.
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

// What a stored 206 holds: one range of a representation of known length.
struct HeldRange {
  ByteRange held;
  std::uint64_t length = 0;  // of the whole representation
  friend bool operator==(const HeldRange&, const HeldRange&) = default;
};

// A 206's Content-Range when it is one that a cache can store (§14.4 `bytes first-last/complete-length`,
// last < complete-length); nullopt for an unknown length (`/*`), `bytes */N`, other units or bad syntax.
std::optional<HeldRange> parse_content_range(std::string_view value) noexcept;

// RFC 9111 §3.3: the bytes a request's Range asks for, when a stored partial holding `stored` can give all
// of them (one byte range, wholly inside what is held); nullopt otherwise.
std::optional<ByteRange> range_within(std::optional<std::string_view> range,
                                      const HeldRange& stored) noexcept;

}  // namespace endhost::http::cache
