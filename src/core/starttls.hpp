// The in-place upgrade of an established plain stream to TLS: STARTTLS (SMTP RFC 3207 §4, POP3/IMAP RFC
// 2595 §3.1, RFC 8314) and FTP's AUTH TLS (RFC 4217 §4). Anything the peer sent before the handshake and the
// session has read but not yet processed is dropped, not carried into the TLS session: a man in the middle
// can append plaintext commands to STARTTLS that would otherwise run as if they came over TLS (CVE-2011-0411,
// Postfix's fix purges the same buffer). The session's input buffer is a required argument, so a line-based
// session cannot forget it.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/stream.hpp"

namespace endhost::core {

// What the session reads its commands from: a buffer (std::string, core::ByteBuffer: size() and clear()) or
// a reader with discard_buffered() (text::CommandReader), returning the bytes dropped.
template <class T>
concept UnreadInput = requires(T& t) {
  { t.discard_buffered() } -> std::convertible_to<std::size_t>;
}
|| requires(T& t) {
  { t.size() } -> std::convertible_to<std::size_t>;
  t.clear();
};

template <UnreadInput T>
std::size_t discard_unread(T& unread) {
  if constexpr (requires { unread.discard_buffered(); }) {
    return unread.discard_buffered();
  } else {
    const std::size_t n = unread.size();
    unread.clear();
    return n;
  }
}

// The result of an upgrade: how many pre-handshake bytes were dropped (worth a log line when not 0).
struct TlsUpgrade {
  std::size_t discarded = 0;
};

// Server side: after the session has sent its "go ahead" reply (SMTP 220, IMAP OK, FTP 234).
template <UnreadInput T>
awaitable<Expected<TlsUpgrade, std::string>> starttls_server(Stream& stream, const TlsServerContext& context,
                                                             T& unread,
                                                             const std::vector<std::string>* alpn = nullptr) {
  TlsUpgrade up;
  up.discarded = discard_unread(unread);
  auto begun = stream.begin_tls_server(context, alpn);
  if (!begun) co_return Unexpected(begun.error());
  auto [ec] = co_await stream.async_handshake(use_nothrow);
  if (ec) co_return Unexpected("TLS handshake failed: " + Stream::error_text(ec));
  co_return up;
}

// Client side: after the server's "go ahead". Bytes the server sent with it are dropped likewise (the
// response-injection twin of the same bug).
template <UnreadInput T>
awaitable<Expected<TlsUpgrade, std::string>> starttls_client(Stream& stream, ssl_ctx_st* context,
                                                             const std::string& host, bool verify_host,
                                                             T& unread) {
  TlsUpgrade up;
  up.discarded = discard_unread(unread);
  auto begun = stream.begin_tls_client(context, host, verify_host);
  if (!begun) co_return Unexpected(begun.error());
  auto [ec] = co_await stream.async_handshake(use_nothrow);
  if (ec) co_return Unexpected("TLS handshake with " + host + " failed: " + Stream::error_text(ec));
  co_return up;
}

}  // namespace endhost::core
