// HTTP Basic authentication (RFC 7617): the credentials in `Authorization: Basic <base64>`, and the
// htpasswd-style file that lists who may write (`user:hash` lines, bcrypt or argon2 hashes only: the old
// crypt, MD5 and SHA-1 schemes of Apache's htpasswd are too fast to guess against and are refused).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

enum class HashKind : std::uint8_t { bcrypt, argon2i, argon2d, argon2id };

// The scheme of a stored hash: $2a$/$2b$/$2y$ (bcrypt), $argon2i$/$argon2d$/$argon2id$.
std::optional<HashKind> hash_kind(std::string_view hash) noexcept;

struct PasswordEntry {
  std::string user;
  std::string hash;
  HashKind kind;
};

struct HtpasswdError {
  std::size_t line;  // 1-based
  std::string message;
};

// Parses an htpasswd file: one `user:hash` per line; blank lines and lines starting with '#' are skipped.
// A user given twice, an empty user or hash, or an unsupported hash scheme is an error naming the line.
Expected<std::vector<PasswordEntry>, HtpasswdError> parse_htpasswd(std::string_view text);

// Compares two strings in time that depends only on their lengths (for hashes and tokens).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace endhost::web
