// Which password hash schemes a users file may hold, and how a stored password field names its scheme:
// Dovecot's `{SCHEME}hash` (https://doc.dovecot.org/configuration_manual/authentication/password_schemes/)
// or a bare crypt(3)/PHC string recognised by its prefix. Only slow, salted hashes are accepted: plain
// text, MD5, SHA digests and DES crypt can be guessed at billions a second and are refused with a message
// saying what to use instead. Sans-I/O: the checks themselves are in auth/password.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::auth {

enum class Scheme : std::uint8_t { bcrypt, argon2i, argon2d, argon2id, sha512_crypt, yescrypt };

// Dovecot's name for the scheme: BLF-CRYPT, ARGON2I, ARGON2D, ARGON2ID, SHA512-CRYPT, CRYPT (yescrypt).
std::string_view scheme_name(Scheme scheme) noexcept;

// The scheme of a bare hash, by its prefix: $2a$/$2b$/$2y$ (bcrypt), $argon2i$/$argon2d$/$argon2id$,
// $6$ (sha512-crypt), $y$ (yescrypt). nullopt for anything else, weak schemes included.
std::optional<Scheme> bare_hash_scheme(std::string_view hash) noexcept;

struct StoredHash {
  Scheme scheme;
  std::string hash;  // without the {SCHEME} prefix: what crypt_r or argon2_verify takes
};

// A users file's password field: `{SCHEME}hash` (the scheme name case-insensitive, and it must agree with
// the hash's own prefix) or a bare hash. The error says what is wrong, and for a weak scheme what to use.
Expected<StoredHash, std::string> parse_password_field(std::string_view field);

}  // namespace endhost::auth
