// LIST's mailbox patterns (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the hierarchy
// delimiter. Matched in O(pattern × name) (no backtracking blow-up on `*a*a*a*…`).
#pragma once

#include <string>
#include <string_view>

namespace endhost::imap {

inline constexpr char kDelimiter = '.';  // Maildir++ (mail-store.md)

// Whether `name` matches `pattern`. INBOX is case-insensitive in both (RFC 3501 §5.1).
bool list_matches(std::string_view pattern, std::string_view name);

// The reference and the pattern as one canonical pattern (RFC 3501 §6.3.8 leaves the joining to the
// server; Dovecot's: the reference, a delimiter when it has none at its end and the pattern is not empty,
// then the pattern).
std::string join_reference(std::string_view reference, std::string_view pattern);

}  // namespace endhost::imap
