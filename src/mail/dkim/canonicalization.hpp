// A message as DKIM sees it (RFC 6376 §3.4, §5.4): header fields in order with their exact bytes, the body,
// and the two canonicalizations of each. Borrowing: the fields and the body point into the message given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::dkim {

enum class Canon { Simple, Relaxed };

struct HeaderField {
  std::string_view name;   // as written, before the ':'
  std::string_view raw;    // the whole field: name, ':', value with its folding, and the final CRLF
  std::string_view value;  // after the ':', up to the final CRLF (folding kept)
};

struct SplitMessage {
  std::vector<HeaderField> headers;  // top to bottom
  std::string_view body;             // after the empty line; "" when there is none
};

// The most header fields a message may have for DKIM: beyond it the message is refused, not walked.
inline constexpr std::size_t kMaxHeaderFields = 1000;

// Splits a message with CRLF line ends (SMTP's, RFC 5321 §2.3.8). A header line that is neither a field
// (name ':' …) nor a continuation (begins with WSP) is an error, as is a message with more than
// kMaxHeaderFields fields.
Expected<SplitMessage, std::string> split_message(std::string_view message);

// §3.4.1 simple: the field unchanged. §3.4.2 relaxed: the name lowercased, the value unfolded, runs of WSP
// made one SP, WSP at the value's end and around the ':' removed; "name:value\r\n".
std::string canonicalize_header(Canon canon, const HeaderField& field);
// The same, for a field given as text ("DKIM-Signature: v=1; …" with its CRLF).
std::string canonicalize_header(Canon canon, std::string_view raw_field);

// §3.4.3 simple: empty lines at the end removed, one CRLF at the end ("\r\n" for an empty body). §3.4.4
// relaxed: WSP at line ends removed, runs of WSP made one SP, empty lines at the end removed ("" for an empty
// body). A last line without CRLF gets one.
std::string canonicalize_body(Canon canon, std::string_view body);

// A copy of `message` where every LF not preceded by CR is CRLF, for messages read from files with LF line
// ends; SMTP's are already CRLF and come back unchanged.
std::string normalize_line_ends(std::string_view message);

// ASCII lower case, for header names and domains.
std::string ascii_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace endhost::mail::dkim
