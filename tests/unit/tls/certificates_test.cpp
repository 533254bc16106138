// The CA and leaf certificates verified by OpenSSL itself: the leaf chains to the CA, carries its names as
// subjectAltName and the serverAuth usage, and the keys are private files.
#include "tls/certificates.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace endhost::tls {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "endhost-tls-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::vector<X509Ptr> read_all(const std::string& path) {
  std::vector<X509Ptr> out;
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return out;
  while (X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr)) out.emplace_back(c);
  std::fclose(f);
  return out;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

// OpenSSL's own verdict on `leaf` for `host` (and, with `ip`, the address), trusting only `ca`.
int verify(X509* ca, X509* leaf, const char* host, const char* ip = nullptr) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (host) X509_VERIFY_PARAM_set1_host(param, host, 0);
  if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, ip);
  const int ok = X509_verify_cert(ctx);
  const int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return err;
}

TEST(Certificates, LeafChainsToTheCaAndCarriesItsNames) {
  TempDir dir;
  const std::string ca_dir = dir.path + "/ca";
  auto ca = make_ca(ca_dir, CaOptions{});
  ASSERT_TRUE(ca) << ca.error();
  EXPECT_EQ(mode_of(ca->key), 0600u);
  EXPECT_EQ(mode_of(ca_dir), 0700u);

  LeafOptions leaf;
  for (const char* n : {"www.example.test", "*.site.test", "127.0.0.1"})
    leaf.names.push_back(*parse_subject_name(n));
  auto files = make_leaf(ca_dir, leaf, dir.path + "/certs");
  ASSERT_TRUE(files) << files.error();
  EXPECT_EQ(files->cert, dir.path + "/certs/www.example.test.pem");
  EXPECT_EQ(mode_of(files->key), 0600u);

  auto ca_certs = read_all(ca->cert);
  auto chain = read_all(files->cert);
  ASSERT_EQ(ca_certs.size(), 1u);
  ASSERT_EQ(chain.size(), 2u);  // the leaf, then the CA
  EXPECT_EQ(X509_cmp(chain[1].get(), ca_certs[0].get()), 0);
  EXPECT_EQ(X509_check_ca(ca_certs[0].get()), 1);
  EXPECT_EQ(X509_check_ca(chain[0].get()), 0);

  X509* c = ca_certs[0].get();
  X509* l = chain[0].get();
  EXPECT_EQ(verify(c, l, "www.example.test"), X509_V_OK);
  EXPECT_EQ(verify(c, l, "a.site.test"), X509_V_OK);
  EXPECT_EQ(verify(c, l, nullptr, "127.0.0.1"), X509_V_OK);
  EXPECT_EQ(verify(c, l, "other.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(c, l, "a.b.site.test"), X509_V_ERR_HOSTNAME_MISMATCH);  // a wildcard covers one label
  EXPECT_EQ(verify(c, l, nullptr, "127.0.0.2"), X509_V_ERR_IP_ADDRESS_MISMATCH);

  // The key in the key file is the leaf's.
  FILE* f = std::fopen(files->key.c_str(), "r");
  ASSERT_NE(f, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(l, key), 1);
  EVP_PKEY_free(key);
}

TEST(Certificates, ALeafFromAnotherCaDoesNotVerify) {
  TempDir dir;
  ASSERT_TRUE(make_ca(dir.path + "/a", CaOptions{}));
  ASSERT_TRUE(make_ca(dir.path + "/b", CaOptions{}));
  LeafOptions leaf;
  leaf.names.push_back(*parse_subject_name("localhost"));
  auto files = make_leaf(dir.path + "/b", leaf, dir.path);
  ASSERT_TRUE(files) << files.error();
  auto a = read_all(dir.path + "/a/ca.pem");
  auto chain = read_all(files->cert);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(chain.empty());
  EXPECT_NE(verify(a[0].get(), chain[0].get(), "localhost"), X509_V_OK);
}

TEST(Certificates, NeverReplacesACaAndReusesOne) {
  TempDir dir;
  auto first = make_ca(dir.path, CaOptions{});
  ASSERT_TRUE(first) << first.error();
  auto again = make_ca(dir.path, CaOptions{});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("already holds a CA"), std::string::npos);
  bool made = true;
  auto reused = open_or_make_ca(dir.path, CaOptions{}, made);
  ASSERT_TRUE(reused) << reused.error();
  EXPECT_FALSE(made);
}

TEST(Certificates, ExplainsAMissingOrBrokenCa) {
  TempDir dir;
  LeafOptions leaf;
  leaf.names.push_back(*parse_subject_name("localhost"));
  auto none = make_leaf(dir.path, leaf, dir.path);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("endhost tls ca --out"), std::string::npos);

  TempDir other;
  ASSERT_TRUE(make_ca(dir.path + "/a", CaOptions{}));
  ASSERT_TRUE(make_ca(dir.path + "/b", CaOptions{}));
  fs::copy_file(dir.path + "/b/ca-key.pem", dir.path + "/a/ca-key.pem", fs::copy_options::overwrite_existing);
  auto mismatched = make_leaf(dir.path + "/a", leaf, dir.path);
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().find("is not the key of"), std::string::npos);
}

}  // namespace
}  // namespace endhost::tls
