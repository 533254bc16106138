// HTTP Basic authentication (RFC 7617): the credentials in `Authorization: Basic <base64>`, and the
// htpasswd-style file that lists who may write (`user:hash` lines, bcrypt, argon2, sha512-crypt or yescrypt
// hashes only, as in the users file (auth/password_scheme.hpp): the old crypt, MD5 and SHA-1 schemes of
// Apache's htpasswd are too fast to guess against and are refused).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_db.hpp"
#include "core/expected.hpp"

namespace endhost::web {

struct Credentials {
  std::string user;
  std::string password;
};

// RFC 7617 §2: scheme "Basic" (case-insensitive), one space, token68 = base64 of user-id ":" password. The
// user-id may not contain ':'. nullopt for any other scheme or a malformed token.
std::optional<Credentials> parse_basic_authorization(std::string_view value);

// Strict base64 (RFC 4648 §4): padding required, no whitespace, no bits after the end. Appends to `out`.
bool base64_decode(std::string_view in, std::string& out);

using HashKind = auth::Scheme;

// The scheme of a stored hash, by its prefix (auth::bare_hash_scheme).
inline std::optional<HashKind> hash_kind(std::string_view hash) noexcept {
  return auth::bare_hash_scheme(hash);
}

struct PasswordEntry {
  std::string user;
  std::string hash;
  HashKind kind;
};

using HtpasswdError = auth::LineError;  // the line (1-based) and what is wrong with it

// Parses an htpasswd file: one `user:hash` per line; blank lines and lines starting with '#' are skipped.
// A user given twice, an empty user or hash, or an unsupported hash scheme is an error naming the line.
// The users file's parser (auth::parse_users) does the work: `user:hash` is a users-file line.
Expected<std::vector<PasswordEntry>, HtpasswdError> parse_htpasswd(std::string_view text);

// Compares two strings in time that depends only on their lengths (for hashes and tokens).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace endhost::web
