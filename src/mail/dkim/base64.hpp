// Base64 (RFC 4648 §4) as DKIM uses it: b=, bh= and the key record's p= (RFC 6376 §2.4 base64string), where
// folding white space may appear between the characters and is ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace endhost::mail::dkim {

std::string base64_encode(std::string_view bytes);
// Decodes, skipping space, tab, CR and LF anywhere (RFC 6376 §2.4: "whitespace is ignored"). nullopt for any
// other character outside the alphabet, a bad length, or '=' anywhere but the end.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace endhost::mail::dkim
