// RFC 2047 encoded words: non-ASCII text in header fields (Subject, display names) as
// "=?UTF-8?B?…?=", and their decoding for the parser and tests.
#pragma once

#include <string>
#include <string_view>

namespace endhost::mail::message {

// True when `text` can stand in a header as it is: printable ASCII and spaces only, no "=?".
bool is_plain_header_text(std::string_view text);

// `text` (UTF-8) as header text: unchanged when plain, else encoded words of at most 75 characters
// (RFC 2047 §2), each holding whole UTF-8 characters (§5 rule 3), separated by CRLF SP (folding, so that
// no line passes 78 characters: RFC 5322 §2.1.1). `first_column` is how much of the first line the field's
// name already takes ("Subject: " is 9).
std::string encode_header_text(std::string_view text, std::size_t first_column = 0);

// Decodes the encoded words in a header value (unfolded), "B" and "Q", in UTF-8, US-ASCII or ISO-8859-1
// (converted to UTF-8); whitespace between two encoded words is dropped (§6.2); anything malformed is
// left as it is. Other charsets are left encoded.
std::string decode_header_text(std::string_view value);

}  // namespace endhost::mail::message
