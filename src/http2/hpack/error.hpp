// DecodeError: why a header block could not be decoded. Every code but header_list_too_large is a
// COMPRESSION_ERROR for the connection (RFC 9113 §4.3): the decoder's table can no longer be trusted.
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http2::hpack {

enum class DecodeError : std::uint8_t {
  truncated,                  // the block ends inside a representation, or a string runs past it
  integer_overflow,           // an integer (§5.1) that does not fit 32 bits
  bad_huffman,                // EOS inside a string, padding over 7 bits or not all ones (§5.2)
  bad_index,                  // index 0, or past the static and dynamic tables (§2.3.3)
  bad_table_size_update,      // a size update after the first field, or above our setting (§4.2, §6.3)
  missing_table_size_update,  // our setting shrank below the table's size and the block did not say so
  header_list_too_large,  // decoded fields over max_header_list_size (RFC 9113 §6.5.2); table still in sync
  failed,                 // an earlier block failed with a compression error: the decoder is unusable
};

// True for the codes that end the connection with COMPRESSION_ERROR (all but header_list_too_large).
constexpr bool is_compression_error(DecodeError e) noexcept {
  return e != DecodeError::header_list_too_large;
}

// A short English description, for logs.
std::string_view describe(DecodeError e) noexcept;

}  // namespace endhost::http2::hpack
