#include "http/client/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl.hpp>

namespace endhost::http {

namespace ssl = asio::ssl;

class TlsContext {
 public:
  TlsContext() : context(ssl::context::tls_client) {}
  ssl::context context;
  bool verify = true;
};

struct TlsStream {
  TlsStream(asio::ip::tcp::socket& socket, ssl::context& context) : stream(socket, context) {}
  ssl::stream<asio::ip::tcp::socket&> stream;
};

void TlsStreamDeleter::operator()(TlsStream* s) const noexcept {
  delete s;
}

namespace {

std::string openssl_error(const boost::system::error_code& ec) {
  // Asio's ssl category renders OpenSSL's reason ("wrong version number"); the stream category has its own.
  return ec.message();
}

}  // namespace

Expected<std::shared_ptr<TlsContext>, std::string> make_tls_context(const TlsOptions& options) {
  auto tls = std::make_shared<TlsContext>();
  boost::system::error_code ec;
  // RFC 8996 deprecates TLS 1.0 and 1.1; TLS 1.2 (RFC 5246) and 1.3 (RFC 8446) remain.
  SSL_CTX_set_min_proto_version(tls->context.native_handle(), TLS1_2_VERSION);
  tls->context.set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
  tls->verify = !options.insecure;
  if (!options.ca_file.empty()) {
    tls->context.load_verify_file(options.ca_file, ec);
    if (ec) return Unexpected("cannot read the CA file " + options.ca_file + ": " + openssl_error(ec));
  } else if (tls->verify) {
    tls->context.set_default_verify_paths(ec);
    if (ec) return Unexpected("cannot load the system's trusted CAs: " + openssl_error(ec));
  }
  tls->context.set_verify_mode(tls->verify ? ssl::verify_peer : ssl::verify_none, ec);
  return tls;
}

awaitable<Expected<TlsStreamPtr, ClientError>> tls_handshake(TlsContext& context,
                                                             asio::ip::tcp::socket& socket,
                                                             const std::string& host) {
  TlsStreamPtr s(new TlsStream(socket, context.context));
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  const bool literal = !ec;
  // RFC 6066 §3: SNI carries DNS names only, never an IP literal.
  // (SSL_set_tlsext_host_name, without the macro's C cast.)
  if (!literal && !SSL_ctrl(s->stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                            TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())))
    co_return Unexpected(ClientError{ClientErrc::tls, "cannot set the TLS server name " + host});
  if (context.verify) {
    // RFC 6125: the name we asked for must match a subjectAltName (DNS or IP) of the certificate.
    s->stream.set_verify_callback(ssl::host_name_verification(host), ec);
  }
  auto [hec] = co_await s->stream.async_handshake(ssl::stream_base::client, use_nothrow);
  if (hec) {
    const long verified = SSL_get_verify_result(s->stream.native_handle());
    const bool cert_failed =
        context.verify &&
        (verified != X509_V_OK ||
         (hec.category() == asio::error::get_ssl_category() &&
          ERR_GET_REASON(static_cast<unsigned long>(hec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED));
    if (cert_failed) {
      // host_name_verification rejects a trusted chain whose leaf does not name `host` without an error
      // code of its own: OpenSSL records that as "unspecified" (or leaves it OK).
      std::string why = verified != X509_V_OK && verified != X509_V_ERR_UNSPECIFIED
                            ? X509_verify_cert_error_string(verified)
                            : "it is not for " + host;
      co_return Unexpected(
          ClientError{ClientErrc::certificate, "the certificate of " + host + " does not verify: " + why});
    }
    co_return Unexpected(
        ClientError{ClientErrc::tls, "TLS handshake with " + host + ": " + openssl_error(hec)});
  }
  co_return s;
}

std::string tls_summary(TlsStream& s) {
  SSL* ssl = s.stream.native_handle();
  std::string out = std::string(SSL_get_version(ssl)) + " " +
                    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)) + ", certificate ";
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return out + "(none)";
  char subject[512];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  X509_free(cert);
  return out + subject;
}

awaitable<IoResult> tls_write(TlsStream& s, asio::const_buffer data) {
  co_return co_await asio::async_write(s.stream, data, use_nothrow);
}

awaitable<IoResult> tls_read_some(TlsStream& s, asio::mutable_buffer space) {
  auto [ec, n] = co_await s.stream.async_read_some(space, use_nothrow);
  // A server that closes without close_notify (common for HTTP, RFC 8446 §6.1 notwithstanding) ends the
  // stream as a plain TCP close would: framing (Content-Length, chunked) tells a truncated body.
  if (ec == ssl::error::stream_truncated) ec = asio::error::eof;
  co_return IoResult{ec, n};
}

}  // namespace endhost::http
