// Base64 (RFC 4648 §4) for MIME bodies (RFC 2045 §6.8: lines of at most 76 characters), RFC 2047's "B"
// encoded words and SMTP AUTH (RFC 4954 §4).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::mail::message {

// Padded base64. With `line_length` > 0 (a multiple of 4; MIME uses 76), a CRLF after every such many
// characters and after the last line.
std::string base64_encode(std::string_view data, std::size_t line_length = 0);

// Strict: padding required, no whitespace, nothing after the padding (AUTH, encoded words).
std::optional<std::string> base64_decode(std::string_view text);

// RFC 2045 §6.8 decoding of a body: characters outside the alphabet (line ends, spaces) are ignored, and
// decoding stops at the first "=". Never fails; a trailing partial group is dropped.
std::string base64_decode_lenient(std::string_view text);

}  // namespace endhost::mail::message
