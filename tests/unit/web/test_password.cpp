// Password checks against real bcrypt (libcrypt) and argon2 (libargon2) hashes, made here with the same
// libraries the way htpasswd -B and the argon2 tool make them.
#include <argon2.h>
#include <crypt.h>
#include <gtest/gtest.h>

#include <string>

#include "http/server/password.hpp"

namespace endhost::web {
namespace {

std::string bcrypt_hash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt), nullptr);
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

std::string argon2_hash(const std::string& password, argon2_type type) {
  const std::string salt = "0123456789abcdef";
  char encoded[256];
  EXPECT_EQ(argon2_hash(2, 1 << 10, 1, password.data(), password.size(), salt.data(), salt.size(), nullptr,
                        32, encoded, sizeof encoded, type, ARGON2_VERSION_13),
            ARGON2_OK);
  return encoded;
}

TEST(Password, Bcrypt) {
  const PasswordEntry e{"alice", bcrypt_hash("open sesame"), HashKind::bcrypt};
  ASSERT_EQ(hash_kind(e.hash), HashKind::bcrypt);
  EXPECT_TRUE(verify_password(e, "open sesame"));
  EXPECT_FALSE(verify_password(e, "open sesame!"));
  EXPECT_FALSE(verify_password(e, ""));
  EXPECT_FALSE(verify_password(e, std::string("open sesame\0x", 13)));
}

TEST(Password, Argon2AllVariants) {
  for (auto [type, kind] : {std::pair{Argon2_id, HashKind::argon2id}, std::pair{Argon2_i, HashKind::argon2i},
                            std::pair{Argon2_d, HashKind::argon2d}}) {
    const PasswordEntry e{"bob", argon2_hash("hunter2", type), kind};
    ASSERT_EQ(hash_kind(e.hash), kind) << e.hash;
    EXPECT_TRUE(verify_password(e, "hunter2"));
    EXPECT_FALSE(verify_password(e, "hunter3"));
  }
}

TEST(Password, DecoyMatchesNothingCommon) {
  const PasswordEntry& decoy = decoy_password_entry();
  ASSERT_EQ(hash_kind(decoy.hash), HashKind::bcrypt);
  EXPECT_EQ(decoy.hash.size(), 60u);
  for (const char* guess : {"", "password", "admin", "decoy"}) EXPECT_FALSE(verify_password(decoy, guess));
}

TEST(Password, MalformedHashNeverMatches) {
  EXPECT_FALSE(verify_password(PasswordEntry{"x", "$2y$05$short", HashKind::bcrypt}, "anything"));
  EXPECT_FALSE(verify_password(PasswordEntry{"x", "$argon2id$nonsense", HashKind::argon2id}, "anything"));
}

}  // namespace
}  // namespace endhost::web
