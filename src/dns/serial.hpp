// SOA serial number arithmetic (RFC 1982): serials are compared in a 32-bit circle, so "newer" means "less
// than 2^31 ahead". Used by secondaries deciding whether to transfer after a NOTIFY or refresh.
#pragma once

#include <cstdint>

namespace endhost::dns {

enum class SerialOrder : std::uint8_t { less, equal, greater, undefined };

// RFC 1982 §3.2. Pairs exactly 2^31 apart are undefined; callers should treat that as "not newer".
constexpr SerialOrder compare_serial(std::uint32_t a, std::uint32_t b) {
  if (a == b) return SerialOrder::equal;
  std::uint32_t diff = b - a;  // modulo 2^32
  if (diff == 0x80000000u) return SerialOrder::undefined;
  return diff < 0x80000000u ? SerialOrder::less : SerialOrder::greater;
}

// RFC 1982 §3.1: adding more than 2^31 - 1 is undefined; the increment is clamped to that.
constexpr std::uint32_t serial_add(std::uint32_t s, std::uint32_t n) {
  return s + (n > 0x7FFFFFFFu ? 0x7FFFFFFFu : n);
}

// True if `candidate` is newer than `current` (the secondary's "should I transfer?").
constexpr bool serial_newer(std::uint32_t candidate, std::uint32_t current) {
  return compare_serial(candidate, current) == SerialOrder::greater;
}

}  // namespace endhost::dns
