// Reading an Internet message (RFC 5322 §2.2, §3) and its MIME structure (RFC 2045, RFC 2046 §5.1): header
// fields unfolded, Content-Type with its parameters, multipart bodies walked to their parts, and the
// transfer encodings (base64, quoted-printable, 7bit/8bit/binary) undone. For the tests and the fuzz
// target; bounded (depth, parts, header fields) so that hostile input costs little. Lenient where RFC
// 2045/2046 advise robustness (a missing close delimiter ends at the end of the text), never crashing.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::message {

struct HeaderField {
  std::string name;   // as written
  std::string value;  // unfolded (CRLF before WSP removed, RFC 5322 §2.2.3), leading space dropped
};

struct ContentType {
  std::string type = "text";  // lower case; RFC 2045 §5.2's default text/plain; charset=us-ascii
  std::string subtype = "plain";
  std::map<std::string, std::string> params;  // names lower case, values unquoted
  std::string param(const std::string& name) const;
};

struct MimePart {
  std::vector<HeaderField> headers;
  ContentType content_type;
  std::string transfer_encoding = "7bit";  // lower case
  std::string body;                        // as it was in the message, after the blank line
  std::vector<MimePart> parts;             // for multipart/*: the body parts, in order
  bool truncated = false;                  // multipart without its close delimiter (RFC 2046 §5.1.1)

  // The first field of that name (case-insensitive), unfolded; RFC 2047 words are not decoded.
  std::optional<std::string> header(std::string_view name) const;
  // The same with encoded words decoded (Subject, From): UTF-8.
  std::optional<std::string> decoded_header(std::string_view name) const;
  // The body with its transfer encoding undone (unknown encodings: as it is).
  std::string decoded_body() const;
  // RFC 2183 / RFC 2231: Content-Disposition's filename (filename*= decoded from UTF-8 percent form).
  std::string filename() const;
  bool is_multipart() const { return content_type.type == "multipart"; }
};

struct MimeLimits {
  std::size_t max_depth = 8;            // multipart nesting
  std::size_t max_parts = 256;          // parts in all
  std::size_t max_header_fields = 512;  // per part
};

// Errors: a header field without a colon, a multipart without a boundary, or a limit passed.
Expected<MimePart, std::string> parse_message(std::string_view text, MimeLimits limits = {});

// RFC 2045 §5.1: "multipart/mixed; boundary=\"=_x\"" → type, subtype, params. Empty on a malformed value.
std::optional<ContentType> parse_content_type(std::string_view value);

}  // namespace endhost::mail::message
