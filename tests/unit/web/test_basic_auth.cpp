#include <gtest/gtest.h>

#include "http/server/basic_auth.hpp"

namespace endhost::web {
namespace {

TEST(Base64, DecodesCanonicalInputOnly) {
  std::string out;
  EXPECT_TRUE(base64_decode("QWxhZGRpbjpvcGVuIHNlc2FtZQ==", out));
  EXPECT_EQ(out, "Aladdin:open sesame");
  out.clear();
  EXPECT_TRUE(base64_decode("", out));
  EXPECT_EQ(out, "");
  for (const char* bad : {"QQ", "QQ=", "Q===", "QR==", "QUI=QUI=", "QU!=", "QUJD\n", "=QUJ"}) {
    out.clear();
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
  }
  out.clear();
  EXPECT_TRUE(base64_decode("QUI=", out));
  EXPECT_EQ(out, "AB");
}

TEST(BasicAuth, ParsesRfc7617Example) {
  auto c = parse_basic_authorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "Aladdin");
  EXPECT_EQ(c->password, "open sesame");
  EXPECT_TRUE(parse_basic_authorization("basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
}

TEST(BasicAuth, PasswordMayContainColons) {
  auto c = parse_basic_authorization("Basic dXNlcjpwYTpzOnM=");  // user:pa:s:s
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "user");
  EXPECT_EQ(c->password, "pa:s:s");
}

TEST(BasicAuth, RejectsOtherSchemesAndBadTokens) {
  EXPECT_FALSE(parse_basic_authorization("Bearer abc"));
  EXPECT_FALSE(parse_basic_authorization("Basic"));
  EXPECT_FALSE(parse_basic_authorization("Basic !!!!"));
  EXPECT_FALSE(parse_basic_authorization("Basic bm9jb2xvbg=="));  // "nocolon"
  EXPECT_FALSE(parse_basic_authorization("Basic OnB3"));          // ":pw": empty user
  EXPECT_FALSE(parse_basic_authorization("Basic dQA6cA=="));      // "u\0:p"
}

TEST(Htpasswd, ParsesBcryptAndArgon2) {
  auto r = parse_htpasswd(
      "# writers\n"
      "alice:$2y$05$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234\n"
      "\n"
      "bob:$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g\r\n"
      "carol:$2b$10$xxxxxxxxxxxxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy   \n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].user, "alice");
  EXPECT_EQ((*r)[0].kind, HashKind::bcrypt);
  EXPECT_EQ((*r)[1].kind, HashKind::argon2id);
  EXPECT_EQ((*r)[1].hash, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g");
  EXPECT_EQ((*r)[2].hash.back(), 'y');
}

TEST(Htpasswd, RefusesWeakSchemesWithTheLine) {
  auto r = parse_htpasswd("ok:$2y$05$x\nweak:$apr1$abc$def\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().line, 2u);
  EXPECT_NE(r.error().message.find("weak"), std::string::npos);
  EXPECT_NE(r.error().message.find("bcrypt"), std::string::npos);
  EXPECT_FALSE(parse_htpasswd("sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"));
  EXPECT_FALSE(parse_htpasswd("nocolon\n"));
  EXPECT_FALSE(parse_htpasswd(":$2y$05$x\n"));
  EXPECT_FALSE(parse_htpasswd("a:\n"));
  auto dup = parse_htpasswd("a:$2y$05$x\na:$2y$05$y\n");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().line, 2u);
}

TEST(ConstantTimeEqual, Compares) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

}  // namespace
}  // namespace endhost::web
