#include "http/server/password.hpp"

#include <argon2.h>
#include <crypt.h>

#include <memory>
#include <string>

namespace endhost::web {

bool verify_password(const PasswordEntry& entry, std::string_view password) {
  // Both libraries take C strings: a password with a NUL inside could only match a shorter one.
  if (password.find('\0') != std::string_view::npos) return false;
  const std::string pw(password);
  switch (entry.kind) {
    case HashKind::bcrypt: {
      // crypt_data is about 32 KiB: not for the stack of a pool thread, and not shared between threads.
      auto data = std::make_unique<crypt_data>();
      const char* out = ::crypt_r(pw.c_str(), entry.hash.c_str(), data.get());
      // libxcrypt returns a string starting with '*' on failure, never the hash.
      return out != nullptr && out[0] != '*' && constant_time_equal(out, entry.hash);
    }
    case HashKind::argon2i:
      return ::argon2_verify(entry.hash.c_str(), pw.data(), pw.size(), Argon2_i) == ARGON2_OK;
    case HashKind::argon2d:
      return ::argon2_verify(entry.hash.c_str(), pw.data(), pw.size(), Argon2_d) == ARGON2_OK;
    case HashKind::argon2id:
      return ::argon2_verify(entry.hash.c_str(), pw.data(), pw.size(), Argon2_id) == ARGON2_OK;
  }
  return false;
}

const PasswordEntry& decoy_password_entry() {
  // bcrypt, cost 10 (htpasswd -B), of a random password that was thrown away.
  static const PasswordEntry decoy{"", "$2y$10$e/UkEXWm6jGn.AcxYfHdXuJjThScWjbuI7sWQjLfGaoNVsbZu.hEW",
                                   HashKind::bcrypt};
  return decoy;
}

}  // namespace endhost::web
