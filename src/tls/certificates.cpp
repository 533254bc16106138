#include "tls/certificates.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/durable_file.hpp"

namespace endhost::tls {

namespace {

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using X509Ptr = std::unique_ptr<X509, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
template <class T>
using Owned = std::unique_ptr<T, Free>;

using Result = Expected<void, std::string>;

// OpenSSL's reason for the last failure, for the end of an error sentence.
std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : buf;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result make_dirs(const std::string& dir, mode_t mode) {
  if (dir.empty()) return Unexpected(std::string("no directory given"));
  std::string partial;
  std::size_t start = 0;
  while (start <= dir.size()) {
    const std::size_t slash = dir.find('/', start);
    partial = dir.substr(0, slash);
    start = slash == std::string::npos ? dir.size() + 1 : slash + 1;
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST)
      return Unexpected("cannot create the directory " + partial + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Unexpected(dir + " is not a directory");
  return {};
}

KeyPtr new_key() {
  // EC P-256 (RFC 5480): small and fast, and every TLS 1.2/1.3 client accepts it.
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0 ||
      EVP_PKEY_generate(ctx.get(), &key) <= 0)
    return nullptr;
  return KeyPtr(key);
}

// A random positive 127-bit serial (RFC 5280 §4.1.2.2: unique per CA, at most 20 octets).
bool set_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;
  Owned<BIGNUM> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_common_name(X509_NAME* name, const std::string& cn) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Everything but the extensions and the signature.
X509Ptr new_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, int days) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_serial(cert.get())) return nullptr;
  // An hour in the past: a client whose clock is a little behind still accepts a certificate made now.
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400))
    return nullptr;
  if (X509_set_pubkey(cert.get(), key) != 1 ||
      !set_common_name(X509_get_subject_name(cert.get()), common_name))
    return nullptr;
  X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get());
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) return nullptr;
  return cert;
}

Expected<std::string, std::string> pem_of(X509* cert, EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  const bool ok =
      bio && (cert ? PEM_write_bio_X509(bio.get(), cert) == 1
                   : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  if (!ok) return Unexpected("cannot encode PEM: " + openssl_reason());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

X509Ptr read_certificate(const std::string& path) {
  Owned<BIO> bio(BIO_new_file(path.c_str(), "r"));
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

KeyPtr read_key(const std::string& path) {
  Owned<BIO> bio(BIO_new_file(path.c_str(), "r"));
  return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

struct LoadedCa {
  X509Ptr cert;
  KeyPtr key;
};

Expected<LoadedCa, std::string> load_ca(const std::string& dir) {
  const CaFiles files = ca_files(dir);
  if (!exists(files.cert))
    return Unexpected(dir + " holds no CA (no " + files.cert + "); make one with 'endhost tls ca --out " +
                      dir + "'");
  LoadedCa ca{read_certificate(files.cert), read_key(files.key)};
  if (!ca.cert) return Unexpected("cannot read the CA certificate " + files.cert + ": " + openssl_reason());
  if (!ca.key) return Unexpected("cannot read the CA key " + files.key + ": " + openssl_reason());
  if (X509_check_ca(ca.cert.get()) == 0)
    return Unexpected(files.cert + " is not a CA certificate (no CA:TRUE basic constraint)");
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
    ERR_clear_error();
    return Unexpected(files.key + " is not the key of " + files.cert);
  }
  return ca;
}

Result write(const std::string& path, const std::string& content, unsigned mode) {
  auto ok = core::write_file_durably(path, content, std::nullopt, mode);
  if (!ok) return Unexpected(ok.error());
  return {};
}

}  // namespace

CaFiles ca_files(const std::string& dir) {
  return CaFiles{dir + "/" + kCaCertFile, dir + "/" + kCaKeyFile};
}

Expected<CaFiles, std::string> make_ca(const std::string& dir, const CaOptions& options) {
  const CaFiles files = ca_files(dir);
  if (exists(files.cert) || exists(files.key))
    return Unexpected(dir + " already holds a CA (" + files.cert +
                      "); certificates it signed would stop verifying if it were replaced: remove it first, "
                      "or choose another --out");
  if (options.days < 1) return Unexpected(std::string("the CA must be valid for at least one day"));
  if (auto ok = make_dirs(dir, 0700); !ok) return Unexpected(ok.error());
  KeyPtr key = new_key();
  if (!key) return Unexpected("cannot make a key: " + openssl_reason());
  X509Ptr cert = new_certificate(key.get(), options.common_name, nullptr, options.days);
  // RFC 5280 §4.2.1.9 and §4.2.1.3: a CA that signs leaves only (pathlen 0), used for nothing else.
  const bool extended =
      cert && add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
      add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
      add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (!extended || X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return Unexpected("cannot make the CA certificate: " + openssl_reason());
  auto key_pem = pem_of(nullptr, key.get());
  auto cert_pem = pem_of(cert.get(), nullptr);
  if (!key_pem) return Unexpected(key_pem.error());
  if (!cert_pem) return Unexpected(cert_pem.error());
  // The key first: a ca.pem without its key would look like a CA that cannot sign.
  if (auto ok = write(files.key, *key_pem, 0600); !ok) return Unexpected(ok.error());
  if (auto ok = write(files.cert, *cert_pem, 0644); !ok) return Unexpected(ok.error());
  return files;
}

Expected<CaFiles, std::string> open_or_make_ca(const std::string& dir, const CaOptions& options, bool& made) {
  made = false;
  if (exists(ca_files(dir).cert)) {
    auto ca = load_ca(dir);
    if (!ca) return Unexpected(ca.error());
    return ca_files(dir);
  }
  made = true;
  return make_ca(dir, options);
}

Expected<LeafFiles, std::string> make_leaf(const std::string& ca_dir, const LeafOptions& options,
                                           const std::string& out_dir) {
  if (options.names.empty()) return Unexpected(std::string("a certificate needs at least one name"));
  if (options.days < 1) return Unexpected(std::string("a certificate must be valid for at least one day"));
  auto ca = load_ca(ca_dir);
  if (!ca) return Unexpected(ca.error());
  if (auto ok = make_dirs(out_dir, 0755); !ok) return Unexpected(ok.error());
  KeyPtr key = new_key();
  if (!key) return Unexpected("cannot make a key: " + openssl_reason());
  X509Ptr cert = new_certificate(key.get(), options.names.front().text, ca->cert.get(), options.days);
  X509* issuer = ca->cert.get();
  // RFC 5280 §4.2.1: an end entity (CA:FALSE) for TLS servers only; digitalSignature is what ECDHE_ECDSA
  // and TLS 1.3 use the key for. subjectAltName carries the names clients check (RFC 6125 §6.4).
  const bool extended =
      cert && add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE") &&
      add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature") &&
      add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth") &&
      add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash") &&
      add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always") &&
      add_extension(cert.get(), issuer, NID_subject_alt_name, subject_alt_name(options.names));
  if (!extended || X509_sign(cert.get(), ca->key.get(), EVP_sha256()) == 0)
    return Unexpected("cannot make the certificate for " + options.names.front().text + ": " +
                      openssl_reason());
  auto key_pem = pem_of(nullptr, key.get());
  auto cert_pem = pem_of(cert.get(), nullptr);
  auto ca_pem = pem_of(ca->cert.get(), nullptr);
  if (!key_pem) return Unexpected(key_pem.error());
  if (!cert_pem) return Unexpected(cert_pem.error());
  if (!ca_pem) return Unexpected(ca_pem.error());
  const std::string stem = out_dir + "/" + file_stem(options.names.front());
  LeafFiles files{stem + ".pem", stem + "-key.pem"};
  if (auto ok = write(files.key, *key_pem, 0600); !ok) return Unexpected(ok.error());
  if (auto ok = write(files.cert, *cert_pem + *ca_pem, 0644); !ok) return Unexpected(ok.error());
  return files;
}

}  // namespace endhost::tls
