// Writing IMAP strings (RFC 3501 §4.3, §9; RFC 9051 §4.3): NIL, atoms, quoted strings and literals, for
// every string the server sends (ENVELOPE and BODYSTRUCTURE fields, mailbox names in LIST, STATUS, ...).
// The form is chosen from the bytes: a quoted string when it is short, 7-bit and without CR, LF or NUL,
// otherwise a literal `{n}` CRLF followed by the bytes as they are.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::imap::message {

// Strings longer than this go as literals even when they could be quoted (as Dovecot does past 1 KiB): a
// client's line buffer need not hold them.
inline constexpr std::size_t kMaxQuotedString = 1024;

// True when `s` can be sent as a quoted string: at most kMaxQuotedString octets of TEXT-CHAR (RFC 3501 §9:
// 0x01-0x7F without CR and LF); `"` and `\` are escaped.
bool quotable(std::string_view s);

// True when `s` is an atom (RFC 3501 §9 ATOM-CHAR: no atom-specials, 7-bit, at least one) and not "NIL"
// in any case, so that it reads back as the same astring.
bool is_atom(std::string_view s);

// `"..."` with `\` and `"` escaped. `s` must be quotable().
void append_quoted(std::string& out, std::string_view s);
// `{n}` CRLF and the bytes.
void append_literal(std::string& out, std::string_view s);
// A string: quoted when quotable(), else a literal.
void append_quoted_or_literal(std::string& out, std::string_view s);
// An nstring: NIL for nullopt, else a string.
void append_nstring(std::string& out, std::optional<std::string_view> s);
// An astring: the atom as it is when is_atom(), else a string.
void append_astring(std::string& out, std::string_view s);

}  // namespace endhost::imap::message
