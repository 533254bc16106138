#include "mail/dkim/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace endhost::mail::dkim {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

std::string openssl_error(std::string_view what) {
  std::string out(what);
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Expected<KeyType, std::string> type_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyType::Rsa;
    case EVP_PKEY_ED25519:
      return KeyType::Ed25519;
    default:
      return Unexpected(std::string("the key is neither RSA nor Ed25519"));
  }
}

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(out), n);
}

Expected<PrivateKey, std::string> PrivateKey::generate(KeyType type) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(
      EVP_PKEY_CTX_new_id(type == KeyType::Rsa ? EVP_PKEY_RSA : EVP_PKEY_ED25519, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) return Unexpected(openssl_error("key generation"));
  if (type == KeyType::Rsa && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), kRsaSigningBits) <= 0)
    return Unexpected(openssl_error("key generation"));
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) <= 0) return Unexpected(openssl_error("key generation"));
  PrivateKey k;
  k.key_ = std::shared_ptr<evp_pkey_st>(raw, PkeyFree{});
  k.type_ = type;
  return k;
}

Expected<PrivateKey, std::string> PrivateKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Unexpected(openssl_error("reading the key"));
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) return Unexpected(openssl_error("not a PEM private key"));
  std::shared_ptr<evp_pkey_st> key(raw, PkeyFree{});
  auto type = type_of(raw);
  if (!type) return Unexpected(type.error());
  PrivateKey k;
  k.key_ = std::move(key);
  k.type_ = *type;
  return k;
}

Expected<PrivateKey, std::string> PrivateKey::ed25519_from_seed(std::string_view seed) {
  if (seed.size() != 32) return Unexpected(std::string("an Ed25519 private key is 32 octets"));
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size());
  if (raw == nullptr) return Unexpected(openssl_error("Ed25519 key"));
  PrivateKey k;
  k.key_ = std::shared_ptr<evp_pkey_st>(raw, PkeyFree{});
  k.type_ = KeyType::Ed25519;
  return k;
}

std::string PrivateKey::to_pem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string PrivateKey::public_key() const {
  if (type_ == KeyType::Ed25519) {
    // RFC 8463 §4.2: p= is the raw 32-octet public key, not a SubjectPublicKeyInfo.
    std::string out(32, '\0');
    std::size_t n = out.size();
    if (EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(out.data()), &n) != 1)
      return {};
    out.resize(n);
    return out;
  }
  // RFC 6376 §3.6.1 p= for rsa: the DER SubjectPublicKeyInfo (what i2d_PUBKEY writes).
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key_.get(), &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string PrivateKey::record_text() const {
  return format_key_record(type_, public_key());
}

Expected<std::string, std::string> PrivateKey::sign(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return Unexpected(openssl_error("signing"));
  std::string input;
  const EVP_MD* md = nullptr;
  if (type_ == KeyType::Ed25519) {
    input = sha256(data);  // RFC 8463 §3: PureEdDSA over the SHA-256 hash
  } else {
    input = std::string(data);
    md = EVP_sha256();
  }
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1)
    return Unexpected(openssl_error("signing"));
  std::size_t n = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &n, bytes(input), input.size()) != 1)
    return Unexpected(openssl_error("signing"));
  std::string out(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(input),
                     input.size()) != 1)
    return Unexpected(openssl_error("signing"));
  out.resize(n);
  return out;
}

Expected<bool, std::string> verify_signature(KeyType type, std::string_view public_key, std::string_view data,
                                             std::string_view signature) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::string input;
  const EVP_MD* md = nullptr;
  if (type == KeyType::Ed25519) {
    if (public_key.size() != 32) return Unexpected(std::string("an Ed25519 public key is 32 octets"));
    key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()));
    input = sha256(data);
  } else {
    const unsigned char* p = bytes(public_key);
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_key.size())));
    if (key && EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
      ERR_clear_error();
      return Unexpected(std::string("k=rsa but the key is not RSA"));
    }
    if (key && EVP_PKEY_get_bits(key.get()) < static_cast<int>(kMinRsaBits)) {
      return Unexpected("an RSA key of " + std::to_string(EVP_PKEY_get_bits(key.get())) +
                        " bits is too short (RFC 8301)");
    }
    input = std::string(data);
    md = EVP_sha256();
  }
  if (!key) return Unexpected(openssl_error("the public key cannot be read"));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1)
    return Unexpected(openssl_error("verification"));
  const int ok = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace endhost::mail::dkim
