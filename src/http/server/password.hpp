// Checks a password against an htpasswd entry's hash, with the users file's checks (auth::verify_hash:
// crypt_r for bcrypt and the other crypt schemes, libargon2 for argon2). Deliberately slow (that is the
// point of these hashes): call it on the blocking pool.
#pragma once

#include <string_view>

#include "http/server/basic_auth.hpp"

namespace endhost::web {

bool verify_password(const PasswordEntry& entry, std::string_view password);

// A well-formed bcrypt hash of nothing anyone knows: verifying unknown users against it takes as long as
// verifying known ones, so response times do not tell which user names exist.
const PasswordEntry& decoy_password_entry();

}  // namespace endhost::web
