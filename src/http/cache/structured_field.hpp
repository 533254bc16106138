// A Structured Field Dictionary (RFC 8941 §3.2, parsed as §4.2.2 says): what a targeted cache-control field
// such as CDN-Cache-Control is (RFC 9213 §2.1). Only what a cache directive can be is kept (integers,
// booleans, tokens, strings); parameters are parsed and dropped. Any syntax error fails the whole field, as
// §4.2 requires, so the caller can ignore it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::http::cache {

struct SfItem {
  enum class Kind : std::uint8_t { integer, decimal, string, token, bytes, boolean, inner_list };
  Kind kind = Kind::boolean;
  std::int64_t integer = 0;  // integer (and the integer part of a decimal)
  bool boolean = true;
  std::string text;  // string (unescaped), token, bytes (still base64)
};

struct SfMember {
  std::string key;
  SfItem value;
};

// At most this many members: a bound on what one response field can make us keep.
inline constexpr std::size_t max_sf_members = 64;

// The members in order; a key that repeats keeps its last value at its first position (§4.2.2). nullopt
// when the text is not a valid Dictionary (or has more than max_sf_members members).
std::optional<std::vector<SfMember>> parse_sf_dictionary(std::string_view text);

}  // namespace endhost::http::cache
