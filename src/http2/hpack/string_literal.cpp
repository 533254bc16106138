#include "http2/hpack/string_literal.hpp"

#include "http2/hpack/huffman.hpp"
#include "http2/hpack/integer.hpp"

namespace endhost::http2::hpack {

void encode_string(std::string& out, std::string_view s, bool allow_huffman) {
  if (allow_huffman) {
    const std::size_t coded = huffman_encoded_size(s);
    if (coded < s.size()) {
      encode_integer(out, 0x80, 7, static_cast<std::uint32_t>(coded));
      huffman_encode(s, out);
      return;
    }
  }
  encode_integer(out, 0x00, 7, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

Expected<std::string_view, DecodeError> decode_string(std::string_view in, std::size_t& pos,
                                                      std::string& scratch) {
  if (pos >= in.size()) return Unexpected(DecodeError::truncated);
  const bool huffman = (static_cast<std::uint8_t>(in[pos]) & 0x80) != 0;
  auto length = decode_integer(in, pos, 7);
  if (!length) return Unexpected(length.error());
  if (*length > in.size() - pos) return Unexpected(DecodeError::truncated);
  const std::string_view octets = in.substr(pos, *length);
  pos += *length;
  if (!huffman) return octets;
  scratch.clear();
  if (auto r = huffman_decode(octets, scratch); !r) return Unexpected(r.error());
  return std::string_view(scratch);
}

}  // namespace endhost::http2::hpack
