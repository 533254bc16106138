// The users file's syntax (Dovecot passwd-file) and which schemes are accepted, with hashes made by the
// tools a Dovecot administrator uses (openssl passwd -6, htpasswd -B, doveadm pw -s ARGON2ID's PHC form).
#include "auth/user_db.hpp"

#include <gtest/gtest.h>

#include <string>

namespace endhost::auth {
namespace {

// openssl passwd -6 -salt dovecotSalt123 secret-six
constexpr const char* kSha512 =
    "$6$dovecotSalt123$sl.dNHrn1uQ/"
    "UdTD.Mh59UhNguFhmA7AnWGoPEvCAfOxfpcf1WfTU7t8opfrT0tdj4uY0kPnBsGvfXd0ASrbC0";
// htpasswd -nbB -C 5 alice secret-blf
constexpr const char* kBcrypt = "$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga";
// argon2id, m=65536, t=3, p=1 (doveadm pw -s ARGON2ID's parameters) of secret-argon
constexpr const char* kArgon2id =
    "$argon2id$v=19$m=65536,t=3,p=1$ZG92ZWNvdC1zYWx0LTE2Yg$B4T/qsciPC44bLTdyNFkdEL4WC226LiA5mcevD7e3Eo";

std::string error_of(std::string_view text) {
  auto r = UserDb::parse(text, "users");
  return r ? std::string("(parsed)") : r.error();
}

TEST(UserDb, DovecotFileWithEveryField) {
  const std::string text = std::string("# mail and ftp users\n\n") + "alice:{SHA512-CRYPT}" + kSha512 +
                           ":1000:1000:Alice A:/home/alice:/bin/false:userdb_mail=maildir:~/Mail\n" +
                           "bob:{BLF-CRYPT}" + kBcrypt + "::::/srv/bob::\n" + "carol:{ARGON2ID}" + kArgon2id +
                           "\r\n" + "dave@example.org:" + kBcrypt + "\n" + "   # an indented comment\n";
  auto db = UserDb::parse(text, "users");
  ASSERT_TRUE(db) << db.error();
  ASSERT_EQ(db->users().size(), 4u);
  const User* a = db->find("alice");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->scheme, Scheme::sha512_crypt);
  EXPECT_EQ(a->hash, kSha512);
  EXPECT_EQ(a->uid, 1000u);
  EXPECT_EQ(a->gid, 1000u);
  EXPECT_EQ(a->gecos, "Alice A");
  EXPECT_EQ(a->home, "/home/alice");
  EXPECT_EQ(a->shell, "/bin/false");
  EXPECT_EQ(a->extra, "userdb_mail=maildir:~/Mail");  // the extra fields keep their ':'
  const User* b = db->find("bob");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->scheme, Scheme::bcrypt);
  EXPECT_FALSE(b->uid);
  EXPECT_EQ(b->home, "/srv/bob");
  const User* c = db->find("carol");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->scheme, Scheme::argon2id);
  EXPECT_EQ(c->hash, kArgon2id);  // CR stripped
  EXPECT_EQ(db->find("dave@example.org")->scheme, Scheme::bcrypt);
  EXPECT_EQ(db->find("Alice"), nullptr);  // names are case-sensitive
  EXPECT_EQ(db->find("eve"), nullptr);
}

TEST(UserDb, BareHashesByPrefix) {
  EXPECT_EQ(bare_hash_scheme(kSha512), Scheme::sha512_crypt);
  EXPECT_EQ(bare_hash_scheme(kBcrypt), Scheme::bcrypt);
  EXPECT_EQ(bare_hash_scheme("$2b$10$abc"), Scheme::bcrypt);
  EXPECT_EQ(bare_hash_scheme(kArgon2id), Scheme::argon2id);
  EXPECT_EQ(bare_hash_scheme("$argon2i$v=19$m=4096,t=2,p=1$x$y"), Scheme::argon2i);
  EXPECT_EQ(bare_hash_scheme("$y$j9T$salt$hash"), Scheme::yescrypt);
  EXPECT_EQ(bare_hash_scheme("$1$salt$hash"), std::nullopt);
  EXPECT_EQ(bare_hash_scheme("plain"), std::nullopt);
}

TEST(UserDb, SchemeNamesCaseInsensitiveAndMustAgreeWithTheHash) {
  EXPECT_TRUE(UserDb::parse(std::string("a:{blf-crypt}") + kBcrypt, "u"));
  EXPECT_TRUE(UserDb::parse(
      "a:{CRYPT}$y$j9T$F5Jx5fExrKuPp53xLKQ..1$4p5dRlfNRz4.Zn7SdLr2C3Xy4hjckpaG4B3qILWv4r.", "u"));
  EXPECT_TRUE(UserDb::parse(std::string("a:{CRYPT}") + kSha512, "u"));
  EXPECT_EQ(error_of(std::string("a:{ARGON2ID}") + kBcrypt)
                .find("users:1: user 'a': {ARGON2ID} but the hash is not one"),
            0u);
  EXPECT_NE(error_of(std::string("a:{CRYPT}") + kArgon2id).find("{CRYPT}"), std::string::npos);
  EXPECT_NE(error_of("a:{SCRAMBLE}xyz").find("unknown password scheme {SCRAMBLE}"), std::string::npos);
  EXPECT_NE(error_of("a:{BLF-CRYPT$2y$05$x").find("without '}'"), std::string::npos);
}

TEST(UserDb, WeakSchemesRefusedWithAClearMessage) {
  for (const char* line :
       {"a:{PLAIN}secret", "a:{plain}secret", "a:{CLEARTEXT}secret", "a:{MD5-CRYPT}$1$ab$cd",
        "a:{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69",
        "a:{SHA}abc=", "a:{SSHA256}abc=", "a:$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", "a:abJnggxhB/yWI",
        "a:$apr1$x$y", "a:{CRYPT}abJnggxhB/yWI", "a:{DES-CRYPT}abJnggxhB/yWI"}) {
    const std::string e = error_of(line);
    EXPECT_EQ(e.find("users:1: user 'a': "), 0u) << line << " -> " << e;
    EXPECT_NE(e.find("refused"), std::string::npos) << line << " -> " << e;
    EXPECT_NE(e.find("{ARGON2ID}"), std::string::npos) << e;  // says what to use instead
  }
  EXPECT_NE(error_of("a:secret").find("not a recognised password hash"), std::string::npos);
}

TEST(UserDb, MalformedLinesNameTheLine) {
  const std::string ok = std::string("ok:") + kBcrypt + "\n";
  EXPECT_EQ(error_of(ok + "justaname\n"),
            "users:2: expected name:{SCHEME}hash[:uid:gid:gecos:home:shell:extra]");
  EXPECT_EQ(error_of(ok + ":" + kBcrypt + "\n"), "users:2: the user name is empty");
  EXPECT_EQ(error_of(ok + "x:\n"), "users:2: user 'x': no password hash");
  EXPECT_EQ(error_of(ok + "x:" + kBcrypt + ":10x\n"), "users:2: user 'x': uid '10x' is not a number");
  EXPECT_EQ(error_of(ok + "x:" + kBcrypt + ":1:-1\n"), "users:2: user 'x': gid '-1' is not a number");
  EXPECT_EQ(error_of(ok + "x:" + kBcrypt + ":99999999999\n"),
            "users:2: user 'x': uid '99999999999' is not a number");
  EXPECT_EQ(error_of(ok + " x:" + kBcrypt + "\n"),
            "users:2: the user name ' x' starts or ends with white space");
  EXPECT_EQ(error_of(ok + std::string("x\x01y:") + kBcrypt + "\n"), "users:2: control character in the line");
  EXPECT_EQ(error_of(ok + "\n" + ok), "users:3: user 'ok' is given twice (first on line 1)");
}

TEST(UserDb, EmptyAndCommentOnlyFilesHaveNoUsers) {
  auto db = UserDb::parse("# nobody yet\n\n \t\n", "users");
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->users().empty());
}

TEST(UserDb, InvalidNames) {
  EXPECT_FALSE(invalid_user_name("alice"));
  EXPECT_FALSE(invalid_user_name("alice@example.org"));
  EXPECT_TRUE(invalid_user_name(""));
  EXPECT_TRUE(invalid_user_name("a:b"));
  EXPECT_TRUE(invalid_user_name("a\nb"));
  EXPECT_TRUE(invalid_user_name("a\x7f"));
  EXPECT_TRUE(invalid_user_name("#a"));
  EXPECT_TRUE(invalid_user_name("a "));
}

}  // namespace
}  // namespace endhost::auth
