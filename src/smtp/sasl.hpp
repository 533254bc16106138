// The SASL pieces of AUTH (RFC 4954): base64 as RFC 4954 §4 uses it (RFC 4648 §4, padding required, no
// whitespace) and the PLAIN message (RFC 4616 §2: [authzid] NUL authcid NUL passwd).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace endhost::smtp {

// Strict base64 decoding; nullopt when `in` is not base64. "" decodes to "".
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

struct PlainCredentials {
  std::string authzid, authcid, password;
};
// RFC 4616 §2: exactly two NULs, authcid and passwd non-empty, each at most 255 octets.
std::optional<PlainCredentials> parse_plain(std::string_view message);

}  // namespace endhost::smtp
