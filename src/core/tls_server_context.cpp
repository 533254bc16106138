#include "core/tls_server_context.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/tls_native.hpp"
#include "core/tls_ticket_keys.hpp"

namespace endhost::core {

namespace {

using Contexts = TlsServerContext::Contexts;

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  return reason ? reason : "unknown error";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// RFC 6125 §6.4.3: a wildcard stands for exactly one whole left-most label.
bool name_matches(const std::string& pattern, const std::string& name) {
  if (pattern == name) return true;
  if (pattern.size() < 3 || pattern.compare(0, 2, "*.") != 0) return false;
  const auto dot = name.find('.');
  return dot != std::string::npos && dot > 0 && name.compare(dot, std::string::npos, pattern, 1) == 0;
}

// RFC 6066 §3: the client's server_name picks the certificate; an unknown name gets the default one.
int choose_certificate(SSL* ssl, int*, void*) {
  const auto* session = static_cast<const TlsServerSession*>(SSL_get_ex_data(ssl, 0));
  const char* sent = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!session || !session->contexts || !sent) return SSL_TLSEXT_ERR_OK;
  const std::string name = lower(sent);
  for (const auto& entry : session->contexts->entries) {
    for (const auto& pattern : entry.names) {
      if (!name_matches(pattern, name)) continue;
      if (SSL_get_SSL_CTX(ssl) != entry.ctx) SSL_set_SSL_CTX(ssl, entry.ctx);
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

// RFC 7301 §3.2: the first of the service's protocols (its preference) that the client offers; none in
// common is a fatal no_application_protocol alert. A service that declares none does not answer ALPN.
int choose_protocol(SSL* ssl, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
                    unsigned int in_len, void*) {
  const auto* session = static_cast<const TlsServerSession*>(SSL_get_ex_data(ssl, 0));
  if (!session || !session->alpn || session->alpn->empty()) return SSL_TLSEXT_ERR_NOACK;
  for (const auto& want : *session->alpn) {
    for (unsigned int i = 0; i < in_len;) {
      const unsigned int len = in[i];
      if (i + 1 + len > in_len) break;
      if (len == want.size() && std::memcmp(in + i + 1, want.data(), len) == 0) {
        *out = in + i + 1;
        *out_len = static_cast<unsigned char>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + len;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// ---- session resumption ------------------------------------------------------------------------------
//
// TLS 1.3 resumes with a PSK from a NewSessionTicket (RFC 8446 §4.6.1), TLS 1.2 with a ticket (RFC 5077) or
// a session id the server remembers (RFC 5246 §7.4.1.2). Tickets are sealed with the process's key ring
// (tls_ticket_keys.hpp).
constexpr auto kTicketRotation = std::chrono::hours(1);
// Session lifetime: the TLS 1.3 ticket_lifetime hint, the TLS 1.2 cache entry and ticket age.
constexpr long kSessionLifetimeSeconds = 3600;
// TLS 1.2 clients without ticket support: sessions remembered per certificate context (OpenSSL's internal
// cache, locked, shared by the loop threads), the oldest dropped beyond this.
constexpr long kSessionCacheEntries = 20000;

TicketKeys& ticket_keys() {
  static TicketKeys keys(kTicketRotation);  // per process by design (tls_ticket_keys.hpp); thread-safe
  return keys;
}

bool set_mac_key(EVP_MAC_CTX* mac, unsigned char* key, std::size_t size) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, size),
                         OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// SSL_CTX_set_tlsext_ticket_key_evp_cb: 1 sealed / opened, 2 opened and to be renewed, 0 unknown key (a
// full handshake), -1 failure.
int ticket_key(SSL*, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
               int seal) {
  TicketKey key;
  int result = 1;
  if (seal) {
    if (!ticket_keys().sealing(std::chrono::steady_clock::now(), key)) return -1;
    std::memcpy(name, key.name, sizeof key.name);
    if (RAND_bytes(iv, 16) != 1) result = -1;
    if (result == 1 && EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.cipher_key, iv) != 1)
      result = -1;
  } else {
    bool renew = false;
    if (!ticket_keys().opening(name, std::chrono::steady_clock::now(), key, renew)) return 0;
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.cipher_key, iv) != 1) result = -1;
    if (result == 1 && renew) result = 2;
  }
  if (result > 0 && !set_mac_key(mac, key.mac_key, sizeof key.mac_key)) result = -1;
  OPENSSL_cleanse(&key, sizeof key);
  return result;
}

}  // namespace

TicketKeys::~TicketKeys() {
  OPENSSL_cleanse(&current_, sizeof current_);
  OPENSSL_cleanse(&previous_, sizeof previous_);
}

void TicketKeys::rotate_if_due(clock::time_point now) {
  if (made_ && now - made_at_ < rotation_) return;
  TicketKey fresh;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&fresh), sizeof fresh) != 1) return;  // keep the old one
  if (made_) {
    // Two rotations without a handshake: the previous key is past its tickets' lifetime too.
    has_previous_ = now - made_at_ < 2 * rotation_;
    previous_ = current_;
  }
  current_ = fresh;
  OPENSSL_cleanse(&fresh, sizeof fresh);
  made_at_ = now;
  made_ = true;
}

bool TicketKeys::sealing(clock::time_point now, TicketKey& key) {
  std::lock_guard lock(mutex_);
  rotate_if_due(now);
  if (!made_) return false;
  key = current_;
  return true;
}

bool TicketKeys::opening(const unsigned char* name, clock::time_point now, TicketKey& key, bool& renew) {
  std::lock_guard lock(mutex_);
  rotate_if_due(now);
  if (made_ && std::memcmp(name, current_.name, sizeof current_.name) == 0) {
    key = current_;
    renew = false;
    return true;
  }
  if (has_previous_ && std::memcmp(name, previous_.name, sizeof previous_.name) == 0) {
    key = previous_;
    renew = true;
    return true;
  }
  return false;
}

namespace {

std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable date";
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return out;
}

std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type != GEN_DNS) continue;
      const ASN1_IA5STRING* dns = gn->d.dNSName;
      names.push_back(lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                        static_cast<std::size_t>(ASN1_STRING_length(dns)))));
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {  // an old-style certificate: its common name
    char cn[256];
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
      names.push_back(lower(cn));
  }
  return names;
}

Expected<void, std::string> readable(const std::string& path, const std::string& what,
                                     const std::string& option) {
  if (path.empty()) return Unexpected("TLS " + what + ": no file given; name one with " + option);
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    return Unexpected("TLS " + what + " " + path + " cannot be read (" + std::strerror(errno) +
                      "); give a readable PEM file with " + option);
  }
  std::fclose(f);
  return {};
}

int no_password(char*, int, int, void*) {
  return 0;  // encrypted keys are refused rather than prompted for on the terminal
}

struct CtxFree {
  void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

Expected<Contexts::Entry, std::string> make_entry(const TlsCertificateFiles& files) {
  const std::string& cert_file = files.cert_file;
  const std::string& key_file = files.key_file;
  if (auto ok = readable(cert_file, "certificate", "--tls-cert"); !ok) return Unexpected(ok.error());
  if (auto ok = readable(key_file, "key", "--tls-key"); !ok) return Unexpected(ok.error());
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Unexpected("cannot create a TLS context: " + openssl_reason());
  SSL_CTX* c = ctx.get();
  // RFC 8996: TLS 1.0 and 1.1 are deprecated; TLS 1.2 (RFC 5246) and 1.3 (RFC 8446) remain.
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  // No compression (CRIME), no renegotiation (a client-driven CPU sink), our cipher order. A peer that
  // closes without close_notify reads as end of stream: HTTP framing, not TLS, tells a truncated message.
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                             SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes suit write_some; RELEASE_BUFFERS keeps an idle keep-alive connection small.
  SSL_CTX_set_mode(
      c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Resumption (above, "session resumption"): tickets sealed with the process's rotating keys, and a
  // bounded session-id cache for TLS 1.2 clients without tickets. The session id context is the same for
  // every certificate, so a context switched to by SNI accepts the sessions of the first.
  static constexpr unsigned char kSessionContext[] = "endhost";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(c, kSessionCacheEntries);
  SSL_CTX_set_timeout(c, kSessionLifetimeSeconds);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(c, ticket_key);
  SSL_CTX_set_default_passwd_cb(c, no_password);

  if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1) {
    return Unexpected("TLS certificate " + cert_file + " is not a PEM certificate chain (" +
                      openssl_reason() + "); give the leaf certificate first, then its intermediates");
  }
  X509* leaf = SSL_CTX_get0_certificate(c);
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0) {
    return Unexpected("TLS certificate " + cert_file + " expired on " + time_text(X509_get0_notAfter(leaf)) +
                      "; renew it");
  }
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) >= 0) {
    return Unexpected("TLS certificate " + cert_file + " is not valid before " +
                      time_text(X509_get0_notBefore(leaf)) + "; check the clock or the certificate");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  if (BIO* in = BIO_new_file(key_file.c_str(), "r")) {
    key.reset(PEM_read_bio_PrivateKey(in, nullptr, no_password, nullptr));
    BIO_free(in);
  }
  if (!key) {
    return Unexpected("TLS key " + key_file + " is not a PEM private key (" + openssl_reason() +
                      "); give an unencrypted PEM key with --tls-key");
  }
  if (X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return Unexpected("TLS key " + key_file + " does not match the certificate " + cert_file +
                      "; give the key the certificate was issued for");
  }
  if (SSL_CTX_use_PrivateKey(c, key.get()) != 1)
    return Unexpected("TLS key " + key_file + " cannot be used: " + openssl_reason());
  // (SSL_CTX_set_tlsext_servername_callback, without the macro's C cast.)
  SSL_CTX_callback_ctrl(c, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        reinterpret_cast<void (*)()>(choose_certificate));
  SSL_CTX_set_alpn_select_cb(c, choose_protocol, nullptr);

  Contexts::Entry entry;
  entry.names = certificate_names(leaf);
  entry.ctx = ctx.release();
  return entry;
}

}  // namespace

Expected<std::shared_ptr<TlsServerContext>, std::string> TlsServerContext::load(TlsServerConfig config) {
  if (!config.enabled())
    return Unexpected(std::string("no TLS certificate given; name one with --tls-cert FILE --tls-key FILE"));
  auto context = std::make_shared<TlsServerContext>(std::move(config));
  if (auto ok = context->reload(); !ok) return Unexpected(ok.error());
  return context;
}

Expected<void, std::string> TlsServerContext::reload() {
  auto built = std::make_shared<Contexts>();
  for (const auto& files : config_.certificates) {
    auto entry = make_entry(files);
    if (!entry) return Unexpected(entry.error());
    built->entries.push_back(*entry);
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(built);
  return {};
}

std::shared_ptr<const TlsServerContext::Contexts> TlsServerContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace endhost::core
