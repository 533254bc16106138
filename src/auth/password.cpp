// The password checks of auth/user_db.hpp: crypt_r (libxcrypt) for the crypt(3) schemes, libargon2 for
// argon2. Both are deliberately slow; the callers run them on a blocking pool.
#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "auth/user_db.hpp"

namespace endhost::auth {
namespace {

constexpr std::uint32_t kArgon2Passes = 3;
constexpr std::uint32_t kArgon2MemoryKiB = 65536;
constexpr std::size_t kSaltBytes = 16, kHashBytes = 32;

// argon2id with the parameters above, of a random password that was thrown away.
constexpr const char* kDecoy =
    "$argon2id$v=19$m=65536,t=3,p=1$MI+kDN5fBvlz9a591hqciQ$DH/+V7uOIGPAShG/x9KARyVb0hi4gZTfU/QQ3Y8N9oY";

bool crypt_matches(const std::string& password, const std::string& hash) {
  // crypt_data is about 32 KiB: not for the stack of a pool thread, and not shared between threads.
  auto data = std::make_unique<crypt_data>();
  const char* out = ::crypt_r(password.c_str(), hash.c_str(), data.get());
  // libxcrypt returns a string starting with '*' on failure, never the hash.
  if (out == nullptr || out[0] == '*') return false;
  const std::string_view got(out);
  return got.size() == hash.size() && CRYPTO_memcmp(got.data(), hash.data(), hash.size()) == 0;
}

bool check(Scheme scheme, const std::string& hash, std::string_view password) {
  // Both libraries take C strings: a password with a NUL inside could only match a shorter one.
  if (password.find('\0') != std::string_view::npos) return false;
  const std::string pw(password);
  switch (scheme) {
    case Scheme::bcrypt:
    case Scheme::sha512_crypt:
    case Scheme::yescrypt:
      return crypt_matches(pw, hash);
    // argon2_verify recomputes the hash with the stored parameters and compares in constant time.
    case Scheme::argon2i:
      return ::argon2_verify(hash.c_str(), pw.data(), pw.size(), Argon2_i) == ARGON2_OK;
    case Scheme::argon2d:
      return ::argon2_verify(hash.c_str(), pw.data(), pw.size(), Argon2_d) == ARGON2_OK;
    case Scheme::argon2id:
      return ::argon2_verify(hash.c_str(), pw.data(), pw.size(), Argon2_id) == ARGON2_OK;
  }
  return false;
}

}  // namespace

bool verify_password(const User& user, std::string_view password) {
  return check(user.scheme, user.hash, password);
}

bool verify_hash(std::string_view hash, std::string_view password) {
  const auto scheme = bare_hash_scheme(hash);
  return scheme && check(*scheme, std::string(hash), password);
}

std::string_view decoy_hash() { return kDecoy; }

void verify_decoy(std::string_view password) {
  // The result is thrown away; what matters is the time spent, the same as a real argon2id check.
  (void)check(Scheme::argon2id, kDecoy, password.find('\0') == std::string_view::npos ? password : "");
}

std::string hash_password(std::string_view password, core::RandomSource& random) {
  std::uint8_t salt[kSaltBytes];
  random.fill(salt);
  char encoded[256];
  const int rc =
      ::argon2_hash(kArgon2Passes, kArgon2MemoryKiB, 1, password.data(), password.size(), salt, sizeof salt,
                    nullptr, kHashBytes, encoded, sizeof encoded, Argon2_id, ARGON2_VERSION_13);
  // Only out of memory can fail here (every parameter is a fixed valid one): nothing sensible to return.
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id: ") + ::argon2_error_message(rc));
  return "{ARGON2ID}" + std::string(encoded);
}

}  // namespace endhost::auth
