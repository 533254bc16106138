#include "core/stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/ssl/error.hpp>

#include "core/tls_native.hpp"

namespace endhost::core {

struct Stream::Tls {
  SSL* ssl = nullptr;
  std::shared_ptr<const TlsServerContext::Contexts> contexts;  // a server's SSL_CTXs, alive while we are
  TlsServerSession server;
  int last_errno = 0;  // what the socket BIO saw last, for SSL_ERROR_SYSCALL

  Tls() = default;
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;
  ~Tls() { SSL_free(ssl); }
};

void Stream::TlsDeleter::operator()(Tls* t) const noexcept {
  delete t;
}

namespace {

// A BIO over the socket's descriptor that sends with MSG_NOSIGNAL (OpenSSL's socket BIO uses write(), which
// raises SIGPIPE on a closed peer) and tells OpenSSL to retry on EAGAIN, so SSL_* report WANT_READ/WRITE.
struct BioState {
  int fd;
  int* last_errno;
};

int bio_write(BIO* b, const char* data, int len) {
  auto* st = static_cast<BioState*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  for (;;) {
    const ssize_t n = ::send(st->fd, data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    *st->last_errno = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
    return -1;
  }
}

int bio_read(BIO* b, char* data, int len) {
  auto* st = static_cast<BioState*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  for (;;) {
    const ssize_t n = ::recv(st->fd, data, static_cast<std::size_t>(len), 0);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    *st->last_errno = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
    return -1;
  }
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // writes are not buffered here
}

int bio_destroy(BIO* b) {
  delete static_cast<BioState*>(BIO_get_data(b));
  BIO_set_data(b, nullptr);
  return 1;
}

// Made once and never freed (like OpenSSL's own methods); the function-local static makes that thread-safe.
const BIO_METHOD* socket_bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "endhost socket");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_destroy(m, bio_destroy);
    return m;
  }();
  return method;
}

// The most one try_write_some hands OpenSSL: a large write still lets the loop's other connections run.
constexpr std::size_t kMaxWriteStep = 1024 * 1024;

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : "TLS error " + std::to_string(e);
}

}  // namespace

Stream::Stream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

Stream::~Stream() = default;

Expected<void, std::string> Stream::begin_tls_server(const TlsServerContext& context,
                                                     const std::vector<std::string>* alpn) {
  auto contexts = context.current();
  if (!contexts || contexts->entries.empty()) return Unexpected(std::string("no TLS certificate is loaded"));
  auto tls = std::unique_ptr<Tls, TlsDeleter>(new Tls);
  tls->contexts = std::move(contexts);
  tls->server.alpn = alpn;
  tls->server.contexts = tls->contexts.get();
  tls->ssl = SSL_new(tls->contexts->entries.front().ctx);
  if (!tls->ssl) return Unexpected("cannot start TLS: " + openssl_reason());
  SSL_set_ex_data(tls->ssl, 0, &tls->server);  // the contexts' callbacks read it
  SSL_set_accept_state(tls->ssl);
  tls_ = std::move(tls);
  BIO* bio = BIO_new(socket_bio_method());
  if (!bio) {
    tls_.reset();
    return Unexpected("cannot start TLS: " + openssl_reason());
  }
  BIO_set_data(bio, new BioState{socket_.native_handle(), &tls_->last_errno});
  BIO_set_init(bio, 1);
  SSL_set_bio(tls_->ssl, bio, bio);
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  return {};
}

Expected<void, std::string> Stream::begin_tls_client(ssl_ctx_st* context, const std::string& host,
                                                     bool verify_host) {
  auto tls = std::unique_ptr<Tls, TlsDeleter>(new Tls);
  tls->ssl = SSL_new(context);
  if (!tls->ssl) return Unexpected("cannot start TLS: " + openssl_reason());
  SSL_set_connect_state(tls->ssl);
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  const bool literal = !ec;
  // RFC 6066 §3: SNI carries DNS names only, never an IP literal.
  // (SSL_set_tlsext_host_name, without the macro's C cast.)
  if (!literal && !host.empty() &&
      SSL_ctrl(tls->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str())) != 1)
    return Unexpected("cannot set the TLS server name " + host);
  if (verify_host) {
    // RFC 6125 §6: the name we asked for must match a subjectAltName (DNS, or IP for a literal).
    X509_VERIFY_PARAM* param = SSL_get0_param(tls->ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) return Unexpected("cannot check the TLS server name " + host);
  }
  tls_ = std::move(tls);
  BIO* bio = BIO_new(socket_bio_method());
  if (!bio) {
    tls_.reset();
    return Unexpected("cannot start TLS: " + openssl_reason());
  }
  BIO_set_data(bio, new BioState{socket_.native_handle(), &tls_->last_errno});
  BIO_set_init(bio, 1);
  SSL_set_bio(tls_->ssl, bio, bio);
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  return {};
}

namespace {

TlsIo failure(SSL* ssl, int ret, int last_errno) {
  TlsIo io;
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
      io.want = TlsWant::read;
      return io;
    case SSL_ERROR_WANT_WRITE:
      io.want = TlsWant::write;
      return io;
    case SSL_ERROR_ZERO_RETURN:
      io.ec = asio::error::eof;
      return io;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      io.ec = last_errno != 0 ? boost::system::error_code(last_errno, boost::system::system_category())
                              : boost::system::error_code(asio::error::eof);
      return io;
    default: {
      const unsigned long e = ERR_peek_last_error();
      ERR_clear_error();
      io.ec = boost::system::error_code(static_cast<int>(e), asio::error::get_ssl_category());
      return io;
    }
  }
}

}  // namespace

TlsIo Stream::try_handshake() {
  if (!tls_) return {};
  ERR_clear_error();
  tls_->last_errno = 0;
  const int r = SSL_do_handshake(tls_->ssl);
  if (r == 1) return {};
  TlsIo io = failure(tls_->ssl, r, tls_->last_errno);
  if (!io.ec && io.want == TlsWant::nothing) io.ec = asio::error::eof;
  return io;
}

TlsIo Stream::try_read_some(asio::mutable_buffer space) {
  TlsIo io;
  if (space.size() == 0) return io;
  if (!tls_) {
    for (;;) {
      const ssize_t n = ::recv(socket_.native_handle(), space.data(), space.size(), 0);
      if (n > 0) {
        io.bytes = static_cast<std::size_t>(n);
      } else if (n == 0) {
        io.ec = asio::error::eof;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        io.want = TlsWant::read;
      } else {
        io.ec.assign(errno, boost::system::system_category());
      }
      return io;
    }
  }
  ERR_clear_error();
  tls_->last_errno = 0;
  std::size_t n = 0;
  const int r = SSL_read_ex(tls_->ssl, space.data(), space.size(), &n);
  if (r == 1) {
    io.bytes = n;
    return io;
  }
  return failure(tls_->ssl, r, tls_->last_errno);
}

TlsIo Stream::try_write_some(asio::const_buffer data) {
  TlsIo io;
  if (data.size() == 0) return io;
  if (!tls_) {
    for (;;) {
      const ssize_t n = ::send(socket_.native_handle(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) {
        io.bytes = static_cast<std::size_t>(n);
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        io.want = TlsWant::write;
      } else {
        io.ec.assign(errno, boost::system::system_category());
      }
      return io;
    }
  }
  // SSL_MODE_ENABLE_PARTIAL_WRITE makes SSL_write return after each record (16 KiB): the records of a large
  // buffer are written here one after the other while the socket takes them, rather than one per trip
  // through the caller and the executor. Bytes done are reported even when a later record would block: the
  // caller then retries with the rest, which is what OpenSSL wants retried.
  const auto* p = static_cast<const unsigned char*>(data.data());
  const std::size_t total = std::min(data.size(), kMaxWriteStep);
  std::size_t done = 0;
  while (done < total) {
    ERR_clear_error();
    tls_->last_errno = 0;
    std::size_t n = 0;
    const int r = SSL_write_ex(tls_->ssl, p + done, total - done, &n);
    if (r != 1) {
      if (done > 0) {  // what stopped this write is seen (again) by the next
        ERR_clear_error();
        break;
      }
      return failure(tls_->ssl, r, tls_->last_errno);
    }
    done += n;
  }
  io.bytes = done;
  return io;
}

TlsInfo Stream::tls_info() const {
  TlsInfo info;
  if (!tls_) return info;
  SSL* ssl = tls_->ssl;
  info.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) info.cipher = SSL_CIPHER_get_name(c);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn) info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) info.sni = sni;
  return info;
}

ssl_st* Stream::native_tls() const {
  return tls_ ? tls_->ssl : nullptr;
}

void Stream::shutdown_send() {
  if (tls_ && SSL_is_init_finished(tls_->ssl)) {
    // close_notify (RFC 8446 §6.1) if the socket takes it now; we never wait for the peer's.
    ERR_clear_error();
    SSL_shutdown(tls_->ssl);
    ERR_clear_error();
  }
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void Stream::shutdown() {
  shutdown_send();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

void Stream::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void Stream::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

std::string Stream::error_text(const boost::system::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason) return reason;
  }
  return ec.message();
}

}  // namespace endhost::core
