#include "http2/hpack/integer.hpp"

namespace endhost::http2::hpack {

// §5.1: values below 2^N-1 fit the prefix; otherwise the prefix is all ones and the rest follows in 7-bit
// groups, least significant first, each byte but the last with its top bit set.
void encode_integer(std::string& out, std::uint8_t flags, int prefix_bits, std::uint32_t value) {
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(flags | value));
    return;
  }
  out.push_back(static_cast<char>(flags | max_prefix));
  value -= max_prefix;
  while (value >= 0x80) {
    out.push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

Expected<std::uint32_t, DecodeError> decode_integer(std::string_view in, std::size_t& pos, int prefix_bits) {
  if (pos >= in.size()) return Unexpected(DecodeError::truncated);
  const std::uint32_t max_prefix = (1u << prefix_bits) - 1;
  std::uint64_t value = static_cast<std::uint8_t>(in[pos++]) & max_prefix;
  if (value < max_prefix) return static_cast<std::uint32_t>(value);
  // At most five continuation bytes (shifts 0..28) can contribute to a 32-bit value; a sixth, even a zero
  // one, is refused rather than skipped, so a peer cannot make us loop over padding.
  for (int shift = 0;; shift += 7) {
    if (shift > 28) return Unexpected(DecodeError::integer_overflow);
    if (pos >= in.size()) return Unexpected(DecodeError::truncated);
    const auto b = static_cast<std::uint8_t>(in[pos++]);
    value += static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (value > UINT32_MAX) return Unexpected(DecodeError::integer_overflow);
    if ((b & 0x80) == 0) return static_cast<std::uint32_t>(value);
  }
}

}  // namespace endhost::http2::hpack
