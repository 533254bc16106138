// The client side of TLS (`endhost fetch` to https://, later any dialled connection): one context per client
// holding the trust store (the system's, or --cacert's CAs) with TLS 1.2 as the minimum (RFC 8996), and the
// handshake over a dialled core::Stream, with SNI and RFC 6125 name checks (Stream::begin_tls_client) and a
// certificate that does not verify told apart from any other failure (curl's exits 60 and 35).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/stream.hpp"

namespace endhost::core {

struct TlsClientOptions {
  bool insecure = false;  // -k: no certificate or host name verification
  std::string ca_file;    // --cacert: trust these CAs instead of the system store
};

class TlsClientContext {
 public:
  // An error names the unreadable CA file, or says the system store could not be loaded.
  static Expected<std::shared_ptr<TlsClientContext>, std::string> make(const TlsClientOptions& options);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  bool verifies() const { return verify_; }

 private:
  TlsClientContext(ssl_ctx_st* ctx, bool verify) : ctx_(ctx), verify_(verify) {}
  ssl_ctx_st* ctx_;
  bool verify_;
};

enum class TlsClientErrc {
  certificate,  // the server's certificate does not verify (untrusted, expired, not for this name)
  handshake,    // anything else: not TLS, no common version or cipher, the peer closed
};

struct TlsClientError {
  TlsClientErrc code = TlsClientErrc::handshake;
  std::string message;  // "the certificate of localhost does not verify: hostname mismatch"
};

// TLS over a connected plain `stream` to server `host` (the name checked against the certificate and sent
// as SNI unless it is an IP literal). `host` stays alive until the coroutine ends. `alpn`: the protocols to
// offer (RFC 7301), most preferred first; Stream::tls_info().alpn says which one the server chose.
awaitable<Expected<void, TlsClientError>> tls_client_handshake(Stream& stream,
                                                               const TlsClientContext& context,
                                                               const std::string& host,
                                                               std::span<const std::string> alpn = {});

// "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate /CN=localhost": for -v.
std::string tls_summary(const Stream& stream);

}  // namespace endhost::core
