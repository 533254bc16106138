#include "http2/hpack/error.hpp"

namespace endhost::http2::hpack {

std::string_view describe(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::truncated:
      return "header block truncated inside a representation";
    case DecodeError::integer_overflow:
      return "HPACK integer does not fit 32 bits";
    case DecodeError::bad_huffman:
      return "invalid Huffman string (EOS, or bad padding)";
    case DecodeError::bad_index:
      return "HPACK index 0 or out of range";
    case DecodeError::bad_table_size_update:
      return "dynamic table size update misplaced or above SETTINGS_HEADER_TABLE_SIZE";
    case DecodeError::missing_table_size_update:
      return "dynamic table size update required after SETTINGS_HEADER_TABLE_SIZE shrank";
    case DecodeError::header_list_too_large:
      return "decoded header list over SETTINGS_MAX_HEADER_LIST_SIZE";
    case DecodeError::failed:
      return "HPACK decoder failed on an earlier block";
  }
  return "unknown HPACK error";
}

}  // namespace endhost::http2::hpack
