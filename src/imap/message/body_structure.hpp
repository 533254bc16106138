// FETCH BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from a parsed message: each part's
// type, subtype and parameters as written (in their order; text/* without a charset gets ("charset"
// "us-ascii"), a missing Content-Type is text/plain), Content-ID, Content-Description, the transfer
// encoding ("7bit" when absent or unreadable), the body's size in octets as sent (bare LFs counted as CRLF),
// lines for text/*, and for message/rfc822 the envelope, structure and lines of the encapsulated message.
// BODYSTRUCTURE adds the extension data: MD5, disposition, language and location for a single part;
// parameters, disposition, language and location for a multipart. Dovecot's output is the reference.
#pragma once

#include <string>

#include "imap/message/parsed_message.hpp"

namespace endhost::imap::message {

enum class BodyForm {
  Body,           // FETCH BODY: no extension data
  BodyStructure,  // FETCH BODYSTRUCTURE
};

// The `body` production, with its outer parentheses: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit"
// 6 1)`. A multipart whose parse found no parts (a limit, or no delimiter line) shows one empty text/plain
// part, as Dovecot does, since the grammar needs one.
void append_body_structure(std::string& out, const ParsedMessage& message, BodyForm form);
// The same for one part of it (and what is below).
void append_body_structure(std::string& out, std::string_view text, const PartStructure& part, BodyForm form);

}  // namespace endhost::imap::message
