// Internal to src/core's TLS (stream.cpp, tls_server_context.cpp): the OpenSSL side of a server context.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "core/tls_server_context.hpp"

namespace endhost::core {

struct TlsServerContext::Contexts {
  struct Entry {
    SSL_CTX* ctx = nullptr;
    std::vector<std::string> names;  // lower-case DNS names of the certificate, "*.example.org" allowed
  };
  std::vector<Entry> entries;  // entries[0] is the default certificate

  Contexts() = default;
  Contexts(const Contexts&) = delete;
  Contexts& operator=(const Contexts&) = delete;
  ~Contexts() {
    for (auto& e : entries) SSL_CTX_free(e.ctx);
  }
};

// The per-connection settings the contexts' callbacks read, stored as the SSL's app data by stream.cpp.
struct TlsServerSession {
  const std::vector<std::string>* alpn = nullptr;
  const TlsServerContext::Contexts* contexts = nullptr;
};

}  // namespace endhost::core
