// A TCP byte stream, plain or TLS, for accepted and dialled connections alike. It is an Asio AsyncReadStream
// and AsyncWriteStream (asio::async_write, async_read work on it); a plain stream forwards to its socket
// behind one predictable branch, so plain TCP keeps its cost and its descriptor (sendfile, writev). TLS is
// OpenSSL over the socket's descriptor, driven by readiness: the same steps serve coroutines (async_*) and
// readiness-driven sessions (try_*). OpenSSL's headers stay in stream.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/append.hpp>
#include <boost/asio/compose.hpp>

#include "core/asio.hpp"
#include "core/expected.hpp"

struct ssl_st;      // OpenSSL's SSL
struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace endhost::core {

class TlsServerContext;

// What a TLS connection agreed on, for logs, -v and tests. Empty strings on a plain stream.
struct TlsInfo {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string alpn;     // the protocol chosen by ALPN (RFC 7301), "" when none
  std::string sni;      // the server name the client sent (RFC 6066 §3), "" when none
};

enum class TlsWant : std::uint8_t { nothing, read, write };

// The outcome of one non-blocking step: done (ec, bytes), or blocked until the socket is readable/writable.
struct TlsIo {
  boost::system::error_code ec;
  std::size_t bytes = 0;
  TlsWant want = TlsWant::nothing;
};

class Stream {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;
  using lowest_layer_type = asio::ip::tcp::socket;

  // A plain stream over a connected socket. Not movable: a TLS layer and a Deadline refer to the socket.
  explicit Stream(asio::ip::tcp::socket socket);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  asio::ip::tcp::socket& lowest_layer() { return socket_; }
  int native_handle() { return socket_.native_handle(); }
  bool is_plain() const { return !tls_; }
  TlsInfo tls_info() const;
  ssl_st* native_tls() const;  // null on a plain stream; for settings this class does not cover

  // Puts TLS over the stream; the handshake is async_handshake(). A server offers the protocols of `alpn`
  // (in its order of preference; the vector must outlive the stream). A client sends `host` as SNI unless it
  // is an IP literal and, with `verify_host`, checks the certificate names it (RFC 6125; DNS or IP
  // subjectAltName) — the trust store and verify mode are the context's. Bytes already read from the
  // socket by the caller are not seen by TLS: for STARTTLS use starttls.hpp, which drops them.
  Expected<void, std::string> begin_tls_server(const TlsServerContext& context,
                                               const std::vector<std::string>* alpn = nullptr);
  Expected<void, std::string> begin_tls_client(ssl_ctx_st* context, const std::string& host,
                                               bool verify_host = true);

  // Non-blocking steps for readiness-driven sessions: never wait. On a plain stream they are recv/send.
  TlsIo try_handshake();
  TlsIo try_read_some(asio::mutable_buffer space);
  TlsIo try_write_some(asio::const_buffer data);

  // The handshake of begin_tls_*; completes with an ssl-category error on failure (see error_text()).
  template <class Token>
  auto async_handshake(Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          asio::async_compose<decltype(handler), void(boost::system::error_code)>(
              StepOp<HandshakeStep>{this, HandshakeStep{}}, handler, socket_);
        },
        token);
  }

  // AsyncReadStream / AsyncWriteStream. TLS reads and writes the first non-empty buffer of the sequence,
  // as Asio's ssl::stream does; asio::async_write loops over the rest. The end of a TLS stream without
  // close_notify reads as eof, as a TCP close would (framing tells a truncated message).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (!tls_) {
            socket_.async_read_some(b, std::move(handler));
            return;
          }
          asio::async_compose<decltype(handler), void(boost::system::error_code, std::size_t)>(
              StepOp<ReadStep>{this, ReadStep{first_buffer<asio::mutable_buffer>(b)}}, handler, socket_);
        },
        token, buffers);
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (!tls_) {
            socket_.async_write_some(b, std::move(handler));
            return;
          }
          asio::async_compose<decltype(handler), void(boost::system::error_code, std::size_t)>(
              StepOp<WriteStep>{this, WriteStep{first_buffer<asio::const_buffer>(b)}}, handler, socket_);
        },
        token, buffers);
  }

  // Ends the connection: TLS sends close_notify (best effort, never waits), then TCP shutdown. shutdown_send
  // half-closes (the web server's linger reads on).
  void shutdown();
  void shutdown_send();
  void close();
  void cancel();

  // "certificate verify failed", "wrong version number": OpenSSL's reason for an ssl-category error.
  static std::string error_text(const boost::system::error_code& ec);

  struct Tls;  // the OpenSSL state (stream.cpp)
  struct TlsDeleter {
    void operator()(Tls* t) const noexcept;
  };

 private:
  struct HandshakeStep {
    static constexpr bool counts_bytes = false;
    TlsIo operator()(Stream& s) const { return s.try_handshake(); }
  };
  struct ReadStep {
    static constexpr bool counts_bytes = true;
    asio::mutable_buffer space;
    TlsIo operator()(Stream& s) const { return s.try_read_some(space); }
  };
  struct WriteStep {
    static constexpr bool counts_bytes = true;
    asio::const_buffer data;
    TlsIo operator()(Stream& s) const { return s.try_write_some(data); }
  };
  struct Posted {};

  // Runs a TLS step until it is done, waiting for readiness as OpenSSL asks. A step done at once completes
  // through the executor, never inside the initiating call (Asio's rule; it also bounds recursion).
  template <class Step>
  struct StepOp {
    Stream* stream;
    Step step;
    bool waited = false;

    template <class Self>
    void operator()(Self& self) {
      run(self);
    }
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec) {  // a readiness wait ended
      if (ec) {
        finish(self, ec, 0);
        return;
      }
      run(self);
    }
    template <class Self>
    void operator()(Self& self, Posted, boost::system::error_code ec, std::size_t n) {
      finish(self, ec, n);
    }
    template <class Self>
    static void finish(Self& self, boost::system::error_code ec, std::size_t n) {
      if constexpr (Step::counts_bytes) {
        self.complete(ec, n);
      } else {
        self.complete(ec);
      }
    }
    template <class Self>
    void run(Self& self) {
      const TlsIo r = step(*stream);
      if (r.want == TlsWant::nothing) {
        if (waited) {
          finish(self, r.ec, r.bytes);
        } else {
          auto ex = stream->get_executor();
          asio::post(ex, asio::append(std::move(self), Posted{}, r.ec, r.bytes));
        }
        return;
      }
      waited = true;
      stream->socket_.async_wait(
          r.want == TlsWant::read ? asio::socket_base::wait_read : asio::socket_base::wait_write,
          std::move(self));
    }
  };

  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() != 0) return b;
    }
    return Buffer();
  }

  asio::ip::tcp::socket socket_;
  std::unique_ptr<Tls, TlsDeleter> tls_;  // declared after socket_: destroyed first
};

}  // namespace endhost::core
