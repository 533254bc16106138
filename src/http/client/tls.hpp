// TLS for the client's connections (`endhost fetch` to https:// URLs). Kept behind an opaque stream type so
// the connection pool and the exchange — which the proxy shares — do not pull in the OpenSSL headers, and a
// plain TCP connection pays only a null-pointer test. The server certificate is verified against the system
// store (or --cacert) with RFC 6125 host name checks, SNI is sent for names, and TLS 1.2 is the minimum
// (RFC 8446 §D.5 and RFC 8996: older versions are deprecated).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "http/client/client_error.hpp"

namespace endhost::http {

struct TlsOptions {
  bool insecure = false;  // -k: no certificate or host name verification
  std::string ca_file;    // --cacert: trust these CAs instead of the system store
};

class TlsContext;
struct TlsStream;
struct TlsStreamDeleter {
  void operator()(TlsStream* s) const noexcept;
};
using TlsStreamPtr = std::unique_ptr<TlsStream, TlsStreamDeleter>;

// One context per client (it holds the trust store, loaded once). An error names the unreadable CA file.
Expected<std::shared_ptr<TlsContext>, std::string> make_tls_context(const TlsOptions& options);

// The TLS handshake over a connected socket, for server `host` (the name checked against the certificate
// and sent as SNI unless it is an IP literal). ClientErrc::certificate when the certificate does not
// verify, ClientErrc::tls for any other handshake failure. The stream borrows `socket`.
awaitable<Expected<TlsStreamPtr, ClientError>> tls_handshake(TlsContext& context,
                                                             asio::ip::tcp::socket& socket,
                                                             const std::string& host);

// "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate /CN=localhost": for -v.
std::string tls_summary(TlsStream& stream);

using IoResult = std::tuple<boost::system::error_code, std::size_t>;
awaitable<IoResult> tls_write(TlsStream& stream, asio::const_buffer data);
awaitable<IoResult> tls_read_some(TlsStream& stream, asio::mutable_buffer space);

}  // namespace endhost::http
