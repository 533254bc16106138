// HPACK's prefixed integers (RFC 7541 §5.1), limited to 32 bits: anything larger is an error, so no length,
// index or table size a peer sends can overflow a size_t computation later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http2/hpack/error.hpp"

namespace endhost::http2::hpack {

// Appends `value` with an N-bit prefix (1 ≤ prefix_bits ≤ 8); `flags` supplies the first byte's bits above
// the prefix (the representation's pattern, §6).
void encode_integer(std::string& out, std::uint8_t flags, int prefix_bits, std::uint32_t value);

// Decodes the integer starting at in[pos] with an N-bit prefix (the first byte's higher bits are ignored)
// and advances pos past it. Errors: truncated, integer_overflow (over 2^32-1, or a run of continuation
// bytes that could only encode such a value).
Expected<std::uint32_t, DecodeError> decode_integer(std::string_view in, std::size_t& pos, int prefix_bits);

}  // namespace endhost::http2::hpack
