// What the server makes of a received message before it is stored: CRLF line ends whichever way it came
// (BDAT's counted bytes are not line-checked as DATA's are), and an empty header section made explicit
// when the message has none, so the trace fields the server adds in front never run into its body.
#pragma once

#include <string>
#include <string_view>

namespace endhost::smtp {

// Whether `message` opens with a header field (RFC 5322 §2.2: field-name, printable US-ASCII but ':', then
// ':'), or with the empty line that ends an empty header section.
bool starts_with_header_section(std::string_view message);

// Every bare LF and bare CR becomes CRLF, and a message that does not end in CRLF gets one (what a DATA
// body always is: RFC 5321 §2.3.8, §4.1.1.4). RFC 3030 §3: without BINARYMIME a BDAT body is still text
// in lines, and this is how Postfix reads its bare line ends.
void normalize_line_ends(std::string& message);

// The message as stored: line ends normalized when `chunked` (DATA's were checked already), and a leading
// CRLF when it has no header section (RFC 5322 §3.5: the header section, then an empty line, the body).
void prepare_for_storage(std::string& message, bool chunked);

}  // namespace endhost::smtp
