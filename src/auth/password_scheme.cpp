#include "auth/password_scheme.hpp"

#include <array>

#include "core/ascii_case.hpp"

namespace endhost::auth {
namespace {

constexpr std::string_view kUseInstead =
    "use {ARGON2ID} (endhost ftp adduser), bcrypt ({BLF-CRYPT}, htpasswd -B) or {SHA512-CRYPT}";

// Dovecot schemes that are unsalted digests, plain text, or crypt(3) variants too fast to resist guessing.
constexpr std::array<std::string_view, 28> kWeak = {
    "PLAIN",   "CLEAR",   "CLEARTEXT", "PLAIN-TRUNC", "PLAIN-MD4", "PLAIN-MD5",    "LDAP-MD5",
    "HEX-MD5", "MD5",     "MD5-CRYPT", "SMD5",        "SHA",       "SHA1",         "SSHA",
    "SHA256",  "SSHA256", "SHA512",    "SSHA512",     "CRAM-MD5",  "DIGEST-MD5",   "NTLM",
    "LANMAN",  "RPA",     "OTP",       "SKEY",        "DES-CRYPT", "SHA256-CRYPT", "PBKDF2"};

std::string weak(std::string_view what) {
  return std::string(what) + " is refused: it is too fast to resist guessing; " + std::string(kUseInstead);
}

// Why a bare hash with no accepted prefix is refused.
std::string unrecognised(std::string_view hash) {
  if (hash.starts_with("$1$")) return weak("MD5 crypt ($1$)");
  if (hash.starts_with("$5$")) return weak("SHA256 crypt ($5$)");
  if (hash.starts_with("$apr1$")) return weak("Apache MD5 ($apr1$)");
  if (hash.size() == 13 && hash.find('$') == std::string_view::npos) return weak("DES crypt");
  return "not a recognised password hash; " + std::string(kUseInstead);
}

}  // namespace

std::string_view scheme_name(Scheme scheme) noexcept {
  switch (scheme) {
    case Scheme::bcrypt:
      return "BLF-CRYPT";
    case Scheme::argon2i:
      return "ARGON2I";
    case Scheme::argon2d:
      return "ARGON2D";
    case Scheme::argon2id:
      return "ARGON2ID";
    case Scheme::sha512_crypt:
      return "SHA512-CRYPT";
    case Scheme::yescrypt:
      return "CRYPT";
  }
  return "?";
}

std::optional<Scheme> bare_hash_scheme(std::string_view hash) noexcept {
  if (hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$")) return Scheme::bcrypt;
  if (hash.starts_with("$argon2id$")) return Scheme::argon2id;
  if (hash.starts_with("$argon2i$")) return Scheme::argon2i;
  if (hash.starts_with("$argon2d$")) return Scheme::argon2d;
  if (hash.starts_with("$6$")) return Scheme::sha512_crypt;
  if (hash.starts_with("$y$")) return Scheme::yescrypt;
  return std::nullopt;
}

Expected<StoredHash, std::string> parse_password_field(std::string_view field) {
  if (field.empty()) return Unexpected(std::string("no password hash"));
  std::string_view hash = field;
  std::string named;  // the {SCHEME}, upper-cased
  if (field.front() == '{') {
    const std::size_t close = field.find('}');
    if (close == std::string_view::npos) return Unexpected(std::string("'{' without '}' around the scheme"));
    named = core::upper_case(field.substr(1, close - 1));
    hash = field.substr(close + 1);
    for (std::string_view w : kWeak)
      if (named == w) return Unexpected(weak("{" + named + "}"));
  }
  const auto scheme = bare_hash_scheme(hash);
  if (named.empty()) {
    if (!scheme) return Unexpected(unrecognised(hash));
    return StoredHash{*scheme, std::string(hash)};
  }
  // Dovecot's CRYPT is whatever crypt(3) recognises: accepted for the strong crypt(3) schemes only.
  if (named == "CRYPT") {
    if (!scheme || *scheme == Scheme::argon2i || *scheme == Scheme::argon2d || *scheme == Scheme::argon2id)
      return Unexpected("{CRYPT} " + unrecognised(hash));
    return StoredHash{*scheme, std::string(hash)};
  }
  for (Scheme s : {Scheme::bcrypt, Scheme::argon2i, Scheme::argon2d, Scheme::argon2id, Scheme::sha512_crypt})
    if (named == scheme_name(s)) {
      if (scheme != s) return Unexpected("{" + named + "} but the hash is not one: " + unrecognised(hash));
      return StoredHash{s, std::string(hash)};
    }
  return Unexpected("unknown password scheme {" + named + "}; " + std::string(kUseInstead));
}

}  // namespace endhost::auth
