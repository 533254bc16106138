// HPACK string literals (RFC 7541 §5.2): an H bit and a 7-bit-prefix length, then the octets, raw or
// Huffman-coded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http2/hpack/error.hpp"

namespace endhost::http2::hpack {

// Appends `s` as a string literal: Huffman-coded when `allow_huffman` and that is strictly shorter.
void encode_string(std::string& out, std::string_view s, bool allow_huffman);

// Decodes the string literal at in[pos] and advances pos past it. A raw string is returned as a view into
// `in`; a Huffman one is decoded into `scratch` (cleared first) and the view points there.
Expected<std::string_view, DecodeError> decode_string(std::string_view in, std::size_t& pos,
                                                      std::string& scratch);

}  // namespace endhost::http2::hpack
