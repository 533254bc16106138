#include "http/server/password.hpp"

#include "auth/user_db.hpp"

namespace endhost::web {

bool verify_password(const PasswordEntry& entry, std::string_view password) {
  return auth::verify_hash(entry.hash, password);
}

const PasswordEntry& decoy_password_entry() {
  // bcrypt, cost 10 (htpasswd -B), of a random password that was thrown away.
  static const PasswordEntry decoy{"", "$2y$10$e/UkEXWm6jGn.AcxYfHdXuJjThScWjbuI7sWQjLfGaoNVsbZu.hEW",
                                   HashKind::bcrypt};
  return decoy;
}

}  // namespace endhost::web
