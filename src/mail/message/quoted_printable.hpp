// Quoted-printable (RFC 2045 §6.7) for text bodies, and RFC 2047 §4.2's "Q" form for encoded words.
#pragma once

#include <string>
#include <string_view>

namespace endhost::mail::message {

// Text with LF or CRLF line ends in, CRLF lines of at most 76 characters out (soft breaks "=" CRLF,
// rule 5), "=" and bytes outside printable ASCII as "=XX" (rules 1–2), a space or tab before a line end
// encoded (rule 3). Line ends stay line ends (rule 4). The output ends with CRLF when the input had text.
std::string qp_encode(std::string_view text);

// Decodes a body: "=XX" (either case), soft breaks removed, whitespace before a line end dropped (rule 3),
// a "=" not followed by two hex digits kept as it is (RFC 2045 §6.7's advice for robust decoders).
std::string qp_decode(std::string_view text);

}  // namespace endhost::mail::message
