// HPACK's static Huffman code (RFC 7541 Appendix B) for string literals (§5.2). Encoding is a 64-bit bit
// accumulator; decoding walks a 4-bits-at-a-time state table built at compile time from the code lengths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http2/hpack/error.hpp"

namespace endhost::http2::hpack {

// Bytes `s` takes Huffman-coded, padding included.
std::size_t huffman_encoded_size(std::string_view s) noexcept;

// Appends `s` Huffman-coded, padded to a byte with the most significant bits of EOS (all ones).
void huffman_encode(std::string_view s, std::string& out);

// Appends the decoding of `in` to `out`. bad_huffman for the EOS symbol anywhere, padding longer than 7
// bits, or padding that is not a prefix of EOS (§5.2: each a decoding error).
Expected<void, DecodeError> huffman_decode(std::string_view in, std::string& out);

}  // namespace endhost::http2::hpack
