#include "core/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace endhost::core {

namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  return reason ? reason : "unknown OpenSSL error";
}

}  // namespace

Expected<std::shared_ptr<TlsClientContext>, std::string> TlsClientContext::make(
    const TlsClientOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Unexpected("cannot create a TLS context: " + openssl_reason());
  std::shared_ptr<TlsClientContext> out(new TlsClientContext(ctx, !options.insecure));
  // RFC 8996 deprecates TLS 1.0 and 1.1; TLS 1.2 (RFC 5246) and 1.3 (RFC 8446) remain.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1)
      return Unexpected("cannot read the CA file " + options.ca_file + ": " + openssl_reason());
  } else if (out->verify_ && SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return Unexpected("cannot load the system's trusted CAs: " + openssl_reason());
  }
  SSL_CTX_set_verify(ctx, out->verify_ ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return out;
}

TlsClientContext::~TlsClientContext() {
  SSL_CTX_free(ctx_);
}

awaitable<Expected<void, TlsClientError>> tls_client_handshake(Stream& stream,
                                                               const TlsClientContext& context,
                                                               const std::string& host,
                                                               std::span<const std::string> alpn) {
  if (auto begun = stream.begin_tls_client(context.native(), host, context.verifies()); !begun)
    co_return Unexpected(TlsClientError{TlsClientErrc::handshake, begun.error()});
  if (!alpn.empty()) {
    // RFC 7301 §3.1: each protocol name prefixed by its length.
    std::string wire;
    for (const std::string& p : alpn) {
      wire += static_cast<char>(p.size());
      wire += p;
    }
    if (SSL_set_alpn_protos(stream.native_tls(), reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size())) != 0)
      co_return Unexpected(TlsClientError{TlsClientErrc::handshake, "cannot offer ALPN protocols"});
  }
  auto [ec] = co_await stream.async_handshake(use_nothrow);
  if (!ec) co_return Expected<void, TlsClientError>{};
  // A failed verification (untrusted chain, expiry, or the RFC 6125 name check, which OpenSSL runs as part
  // of it) leaves its reason in the verify result.
  const long verified = stream.native_tls() ? SSL_get_verify_result(stream.native_tls()) : X509_V_OK;
  if (context.verifies() && verified != X509_V_OK) {
    const std::string why =
        verified == X509_V_ERR_HOSTNAME_MISMATCH || verified == X509_V_ERR_IP_ADDRESS_MISMATCH
            ? "it is not for " + host
            : X509_verify_cert_error_string(verified);
    co_return Unexpected(TlsClientError{TlsClientErrc::certificate,
                                        "the certificate of " + host + " does not verify: " + why});
  }
  co_return Unexpected(
      TlsClientError{TlsClientErrc::handshake, "TLS handshake with " + host + ": " + Stream::error_text(ec)});
}

std::string tls_summary(const Stream& stream) {
  SSL* ssl = stream.native_tls();
  if (!ssl) return "plain TCP";
  std::string out = std::string(SSL_get_version(ssl)) + " " +
                    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)) + ", certificate ";
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return out + "(none)";
  char subject[512];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  X509_free(cert);
  return out + subject;
}

}  // namespace endhost::core
