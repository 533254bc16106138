// The cryptography DKIM needs, from OpenSSL's libcrypto: SHA-256, RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6376
// §3.3.1) and Ed25519 over the SHA-256 of the data (RFC 8463 §3: "the Ed25519 algorithm … signs the SHA-256
// hash"), key generation and PEM. No I/O: keys come in and go out as text.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "mail/dkim/key_record.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace endhost::mail::dkim {

// RSA keys shorter than this are refused for verification (RFC 8301 §3.2: "Verifiers MUST NOT consider
// signatures using RSA keys of less than 1024 bits as valid"); signers make 2048-bit keys (RFC 8301 §3.2).
inline constexpr unsigned kMinRsaBits = 1024;
inline constexpr unsigned kRsaSigningBits = 2048;

std::string sha256(std::string_view data);

// A signing key. Copies share the key, which OpenSSL lets several threads use at once for signing.
class PrivateKey {
 public:
  static Expected<PrivateKey, std::string> generate(KeyType type);
  // PKCS#8 or traditional PEM, RSA or Ed25519.
  static Expected<PrivateKey, std::string> from_pem(std::string_view pem);
  // The 32-octet Ed25519 private key (RFC 8032 §5.1.5), as RFC 8463 Appendix A.1 gives it.
  static Expected<PrivateKey, std::string> ed25519_from_seed(std::string_view seed);

  KeyType type() const { return type_; }
  std::string to_pem() const;       // PKCS#8, unencrypted (the file is 0600)
  std::string public_key() const;   // as KeyRecord::public_key: SPKI DER (rsa) or 32 octets (ed25519)
  std::string record_text() const;  // "v=DKIM1; k=…; p=…"
  // rsa: RSASSA-PKCS1-v1_5 SHA-256 of `data`; ed25519: Ed25519 of SHA-256(data).
  Expected<std::string, std::string> sign(std::string_view data) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
  KeyType type_ = KeyType::Rsa;
};

// Whether `signature` is valid for `data` under the key record's public key. An error (not false) for a key
// that cannot be used: not decodable, the wrong type, RSA below kMinRsaBits.
Expected<bool, std::string> verify_signature(KeyType type, std::string_view public_key, std::string_view data,
                                             std::string_view signature);

}  // namespace endhost::mail::dkim
