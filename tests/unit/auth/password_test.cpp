// Every accepted scheme checked for real (libcrypt, libargon2), against hashes made by other tools and by
// hash_password, with wrong passwords beside the right ones.
#include <crypt.h>
#include <gtest/gtest.h>

#include <string>

#include "auth/user_db.hpp"
#include "core/random.hpp"

namespace endhost::auth {
namespace {

// Made by openssl passwd -6, htpasswd -nbB, libxcrypt ($y$) and libargon2 (see user_db_test.cpp).
constexpr const char* kFile =
    "six:{SHA512-CRYPT}$6$dovecotSalt123$sl.dNHrn1uQ/"
    "UdTD.Mh59UhNguFhmA7AnWGoPEvCAfOxfpcf1WfTU7t8opfrT0tdj4uY0kPnBsGvfXd0ASrbC0\n"
    "blf:{BLF-CRYPT}$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga\n"
    "yes:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$4p5dRlfNRz4.Zn7SdLr2C3Xy4hjckpaG4B3qILWv4r.\n"
    "a2id:{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$ZG92ZWNvdC1zYWx0LTE2Yg$B4T/"
    "qsciPC44bLTdyNFkdEL4WC226LiA5mcevD7e3Eo\n"
    "a2i:{ARGON2I}$argon2i$v=19$m=4096,t=2,p=1$ZG92ZWNvdC1zYWx0LTE2Yg$"
    "59KVLDv7kcFXZ5f4H0VE0nJPvAQ4eqnnmxw3bTl3Vc8\n";

struct Case {
  const char* user;
  const char* password;
};

TEST(Password, EverySchemeRightAndWrong) {
  auto db = UserDb::parse(kFile, "users");
  ASSERT_TRUE(db) << db.error();
  for (const Case& c : {Case{"six", "secret-six"}, Case{"blf", "secret-blf"}, Case{"yes", "secret-yes"},
                        Case{"a2id", "secret-argon"}, Case{"a2i", "secret-argon"}}) {
    const User* u = db->find(c.user);
    ASSERT_NE(u, nullptr) << c.user;
    EXPECT_TRUE(verify_password(*u, c.password)) << c.user;
    const std::string pw = c.password;
    EXPECT_FALSE(verify_password(*u, pw + "x")) << c.user;
    EXPECT_FALSE(verify_password(*u, pw.substr(0, pw.size() - 1))) << c.user;
    EXPECT_FALSE(verify_password(*u, "")) << c.user;
    EXPECT_FALSE(verify_password(*u, pw + std::string("\0x", 2))) << c.user;  // NUL never matches
    EXPECT_FALSE(verify_password(*db->find(c.user == std::string("six") ? "blf" : "six"), pw)) << c.user;
  }
}

TEST(Password, BareHashForTheWebServer) {
  EXPECT_TRUE(verify_hash("$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga", "secret-blf"));
  EXPECT_FALSE(verify_hash("$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga", "secret-six"));
  EXPECT_FALSE(
      verify_hash("{BLF-CRYPT}$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga", "secret-blf"));
  EXPECT_FALSE(verify_hash("secret", "secret"));
  EXPECT_FALSE(verify_hash("$2y$05$short", "anything"));
  EXPECT_FALSE(verify_hash("$argon2id$nonsense", "anything"));
  EXPECT_FALSE(verify_hash("$6$", ""));
}

TEST(Password, HashPasswordMakesAnArgon2idField) {
  core::SeededRandom random(7);
  const std::string field = hash_password("correct horse", random);
  EXPECT_EQ(field.rfind("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$", 0), 0u) << field;
  auto stored = parse_password_field(field);
  ASSERT_TRUE(stored) << stored.error();
  User u;
  u.hash = stored->hash;
  u.scheme = stored->scheme;
  EXPECT_TRUE(verify_password(u, "correct horse"));
  EXPECT_FALSE(verify_password(u, "correct horse "));
  // A fresh salt each time: the same password never gives the same field.
  EXPECT_NE(hash_password("correct horse", random), field);
}

TEST(Password, DecoyCostsWhatARealCheckCosts) {
  // verify_decoy spends what verify_password spends on a hash_password() hash because it checks a hash made
  // with the same algorithm and parameters (memory, passes, lanes, version, salt and hash lengths): compared
  // here as strings, since timing the machine would make the test depend on its load.
  core::SeededRandom random(1);
  const std::string real = parse_password_field(hash_password("pw", random))->hash;
  const std::string decoy(decoy_hash());
  const auto params = [](const std::string& h) { return h.substr(0, h.find('$', h.find("$m=") + 1)); };
  EXPECT_EQ(params(decoy), params(real));
  EXPECT_EQ(params(real), "$argon2id$v=19$m=65536,t=3,p=1");
  const auto salt_and_hash = [](const std::string& h) { return h.substr(h.find('$', h.find("$m=") + 1)); };
  EXPECT_EQ(salt_and_hash(decoy).size(), salt_and_hash(real).size());
  // And it matches nothing a client could send.
  EXPECT_FALSE(verify_hash(decoy, "guess"));
  EXPECT_FALSE(verify_hash(decoy, ""));
}

}  // namespace
}  // namespace endhost::auth
