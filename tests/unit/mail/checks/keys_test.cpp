// DKIM keys on disk and the Signer: made once, 0600, never replaced, and what they sign verifies.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "mail/checks/keys.hpp"
#include "mail/checks/signer.hpp"
#include "mail/dkim/dkim.hpp"

namespace endhost::mail::checks {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/endhost-dkim-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(EnsureKey, MakesAPrivateKeyOnceAndKeepsIt) {
  TempDir dir;
  const auto dkim_dir = dir.path() / "dkim";
  auto first = ensure_key(dkim_dir, "Crepes.FR", "lab", dkim::KeyType::Ed25519);
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->domain, "crepes.fr");
  EXPECT_EQ(first->key_file, dkim_dir / "crepes.fr.lab.key");
  EXPECT_EQ(mode_of(first->key_file), 0600u);
  EXPECT_EQ(mode_of(dkim_dir), 0700u);
  EXPECT_EQ(read(first->txt_file), first->record_text() + "\n");
  EXPECT_EQ(first->record_text().rfind("v=DKIM1; k=ed25519; p=", 0), 0u);
  EXPECT_EQ(first->zone_line(), "lab._domainkey.crepes.fr. IN TXT ( \"" + first->record_text() + "\" )");

  // Asked again, even for RSA: the same key, not a new one.
  auto again = ensure_key(dkim_dir, "crepes.fr", "lab", dkim::KeyType::Rsa);
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->algorithm(), dkim::KeyType::Ed25519);
  EXPECT_EQ(again->record_text(), first->record_text());

  // A lost .txt is written back from the key.
  std::filesystem::remove(first->txt_file);
  ASSERT_TRUE(ensure_key(dkim_dir, "crepes.fr", "lab", dkim::KeyType::Ed25519));
  EXPECT_EQ(read(first->txt_file), first->record_text() + "\n");
  // No temporaries left behind.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dkim_dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST(EnsureKey, RefusesNamesThatWouldNotSplit) {
  TempDir dir;
  EXPECT_FALSE(ensure_key(dir.path(), "crepes.fr", "a.b", dkim::KeyType::Ed25519));
  EXPECT_FALSE(ensure_key(dir.path(), "../etc", "lab", dkim::KeyType::Ed25519));
  EXPECT_FALSE(ensure_key(dir.path(), "crepes.fr", "../x", dkim::KeyType::Ed25519));
  EXPECT_FALSE(parse_key_algorithm("dsa"));
  EXPECT_EQ(*parse_key_algorithm("rsa"), dkim::KeyType::Rsa);
}

constexpr std::string_view kMessage =
    "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\nSubject: hi\r\n\r\nHello.\r\n";

TEST(Signer, SignsWithTheDomainsKeyAndTheSignatureVerifies) {
  TempDir dir;
  auto rsa = ensure_key(dir.path(), "crepes.fr", "endhost", dkim::KeyType::Rsa);
  ASSERT_TRUE(rsa) << rsa.error();
  ASSERT_TRUE(ensure_key(dir.path(), "hamburger.edu", "endhost", dkim::KeyType::Ed25519));
  ASSERT_TRUE(ensure_key(dir.path(), "hamburger.edu", "other", dkim::KeyType::Ed25519));
  auto signer = Signer::load(dir.path(), "other");
  ASSERT_TRUE(signer) << signer.error();
  EXPECT_EQ((*signer)->domains(), (std::vector<std::string>{"crepes.fr", "hamburger.edu"}));
  EXPECT_EQ((*signer)->signature_header(kMessage, "example.org", core::WallTime{}), "");

  const auto now = core::WallTime(std::chrono::seconds(1'800'000'000));
  const std::string field = (*signer)->signature_header(kMessage, "CREPES.fr", now);
  ASSERT_FALSE(field.empty());
  EXPECT_NE(field.find("a=rsa-sha256;"), std::string::npos);
  EXPECT_NE(field.find("t=1800000000;"), std::string::npos);
  EXPECT_NE(field.find("c=relaxed/relaxed;"), std::string::npos);
  auto v = dkim::Verification::start(field + std::string(kMessage));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->key_query(0), "endhost._domainkey.crepes.fr");
  EXPECT_EQ(v->finish(0, dkim::KeyLookup::Found, {rsa->record_text()}, 1'800'000'001).status,
            dkim::Status::Pass);

  const std::string ham =
      (*signer)->signature_header("From: bob@hamburger.edu\r\n\r\nx\r\n", "hamburger.edu", now);
  EXPECT_NE(ham.find("s=other;"), std::string::npos);  // the preferred selector
  EXPECT_EQ((*signer)->signature_header("To: x@y.z\r\n\r\nno from\r\n", "crepes.fr", now), "");
}

TEST(Signer, MissingDirectoryIsNoKeysAndABadKeyIsAnError) {
  TempDir dir;
  auto none = Signer::load(dir.path() / "absent");
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)->domains().empty());
  std::ofstream(dir.path() / "crepes.fr.lab.key") << "not a key";
  EXPECT_FALSE(Signer::load(dir.path()));
}

TEST(FromDomain, TakesTheAddressOfTheFromField) {
  EXPECT_EQ(from_domain(kMessage), "crepes.fr");
  EXPECT_EQ(from_domain("from: ALICE@Crepes.FR (Alice)\r\n\r\n"), "crepes.fr");
  EXPECT_EQ(from_domain("To: a@b.c\r\n\r\n"), std::nullopt);
  EXPECT_EQ(from_domain("From: undisclosed\r\n\r\n"), std::nullopt);
}

}  // namespace
}  // namespace endhost::mail::checks
