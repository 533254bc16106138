// Modified UTF-7 mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself except "&", written "&-";
// other characters are UTF-16 in modified base64 (`,` for `/`, no padding) between "&" and "-". The parser
// keeps names as sent; these convert for the store (UTF-8 on disk) and back for LIST.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace endhost::imap {

// To UTF-8. nullopt for a name that is not modified UTF-7: an 8-bit or control octet, an unterminated or
// empty shift (`&-` excepted), a bad base64 character, leftover bits that are not zero, an encoded printable
// ASCII character (it must stand for itself), two shifts back to back (so that each name has one spelling),
// a broken UTF-16 surrogate pair, or an encoded control character (C0 or DEL: no name needs one).
std::optional<std::string> mutf7_decode(std::string_view name);

// From UTF-8. nullopt when `name` is not well-formed UTF-8 (overlong forms, surrogates, past U+10FFFF) or
// holds a C0 control or DEL. mutf7_decode(mutf7_encode(x)) == x for every x it accepts.
std::optional<std::string> mutf7_encode(std::string_view name);

}  // namespace endhost::imap
