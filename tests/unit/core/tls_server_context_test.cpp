// The certificate loader's one-line errors (missing, unreadable, not PEM, mismatched key, expired, not yet
// valid) and SIGHUP reload semantics (new certificates on success, the old ones kept on failure).
#include "core/tls_server_context.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/tls_native.hpp"
#include "test_certs.hpp"

namespace endhost::core {
namespace {

std::string load_error(const std::string& cert, const std::string& key) {
  TlsServerConfig config;
  config.certificates = {{cert, key}};
  auto loaded = TlsServerContext::load(config);
  return loaded ? "" : loaded.error();
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(TlsServerContext, LoadsAPair) {
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "a", {"a.test"});
  EXPECT_EQ(load_error(a.cert_file, a.key_file), "");
}

TEST(TlsServerContext, NamesAMissingFile) {
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "a", {"a.test"});
  const std::string e = load_error(dir.path() + "/nope.crt", a.key_file);
  EXPECT_TRUE(contains(e, "nope.crt cannot be read (No such file or directory)")) << e;
  EXPECT_TRUE(contains(e, "--tls-cert")) << e;
  const std::string k = load_error(a.cert_file, dir.path() + "/nope.key");
  EXPECT_TRUE(contains(k, "TLS key")) << k;
  EXPECT_TRUE(contains(k, "--tls-key")) << k;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(TlsServerContext, NamesAnUnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "a", {"a.test"});
  std::filesystem::permissions(a.key_file, std::filesystem::perms::none);
  const std::string e = load_error(a.cert_file, a.key_file);
  EXPECT_TRUE(contains(e, "cannot be read (Permission denied)")) << e;
}

TEST(TlsServerContext, RefusesWhatIsNotPem) {
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "a", {"a.test"});
  const std::string junk = dir.path() + "/junk.pem";
  std::ofstream(junk) << "this is not a certificate\n";
  EXPECT_TRUE(contains(load_error(junk, a.key_file), "is not a PEM certificate chain"));
  EXPECT_TRUE(contains(load_error(a.cert_file, junk), "is not a PEM private key"));
}

TEST(TlsServerContext, RefusesAKeyOfAnotherCertificate) {
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "a", {"a.test"});
  auto b = test::make_cert(dir.path(), "b", {"b.test"});
  const std::string e = load_error(a.cert_file, b.key_file);
  EXPECT_TRUE(contains(e, "does not match the certificate " + a.cert_file)) << e;
}

TEST(TlsServerContext, RefusesExpiredAndNotYetValidCertificates) {
  test::TempDir dir;
  auto old = test::make_cert(dir.path(), "old", {"old.test"}, -7200, -3600);
  auto future = test::make_cert(dir.path(), "future", {"future.test"}, 3600, 7200);
  EXPECT_TRUE(contains(load_error(old.cert_file, old.key_file), "expired on"));
  EXPECT_TRUE(contains(load_error(future.cert_file, future.key_file), "is not valid before"));
}

TEST(TlsServerContext, ReloadSwapsOnSuccessAndKeepsTheOldOnFailure) {
  test::TempDir dir;
  auto a = test::make_cert(dir.path(), "live", {"first.test"});
  TlsServerConfig config;
  config.certificates = {{a.cert_file, a.key_file}};
  auto loaded = TlsServerContext::load(config);
  ASSERT_TRUE(loaded);
  auto& ctx = **loaded;
  const auto first = ctx.current();

  test::make_cert(dir.path(), "live", {"second.test"});  // renewed in place
  ASSERT_TRUE(ctx.reload());
  const auto second = ctx.current();
  EXPECT_NE(first.get(), second.get());
  EXPECT_EQ(first->entries.at(0).names, std::vector<std::string>{"first.test"});
  EXPECT_EQ(second->entries.at(0).names, std::vector<std::string>{"second.test"});

  std::ofstream(a.cert_file) << "truncated by a bad deploy\n";
  auto failed = ctx.reload();
  ASSERT_FALSE(failed);
  EXPECT_TRUE(contains(failed.error(), "is not a PEM certificate chain"));
  EXPECT_EQ(ctx.current().get(), second.get());  // still serving the renewed certificate
}

TEST(TlsServerContext, RefusesAnEmptyConfig) {
  auto loaded = TlsServerContext::load(TlsServerConfig{});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(contains(loaded.error(), "--tls-cert"));
}

}  // namespace
}  // namespace endhost::core
