// The certificates a TLS listener presents: one or more PEM chain + key pairs, the first the default and the
// others chosen by SNI (RFC 6066 §3) from their subjectAltNames. TLS 1.2 and 1.3 only (RFC 8996). Sessions
// resume by tickets sealed with the process's rotating in-memory keys (shared by all contexts, loops and
// reloads) or, for TLS 1.2 clients without tickets, from a bounded session cache. reload() (SIGHUP) builds
// new contexts from the same files: new handshakes use them, open connections keep the ones they started
// with. Thread-safe; OpenSSL's headers stay in the .cpp.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace endhost::core {

struct TlsCertificateFiles {
  std::string cert_file;  // PEM: the leaf first, then the intermediates
  std::string key_file;   // PEM private key of the leaf
};

// What --tls-cert/--tls-key say; empty means plain TCP.
struct TlsServerConfig {
  std::vector<TlsCertificateFiles> certificates;
  bool enabled() const { return !certificates.empty(); }
};

class TlsServerContext {
 public:
  // One line for a human on failure: which file, what is wrong with it (missing, unreadable, not PEM, key
  // not matching the certificate, expired or not yet valid).
  static Expected<std::shared_ptr<TlsServerContext>, std::string> load(TlsServerConfig config);

  // Re-reads every file. On failure the previous certificates stay in use and the error says why.
  Expected<void, std::string> reload();

  const TlsServerConfig& config() const { return config_; }

  struct Contexts;  // the SSL_CTXs, default first, with the names each serves (tls_native.hpp)
  std::shared_ptr<const Contexts> current() const;

  explicit TlsServerContext(TlsServerConfig config) : config_(std::move(config)) {}

 private:
  TlsServerConfig config_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Contexts> current_;
};

}  // namespace endhost::core
