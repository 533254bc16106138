#include "http/proxy/file_send.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace endhost::http::proxy {

namespace {

// RFC 8446 §5.1: a TLS record carries at most 16 KiB of plaintext.
constexpr std::size_t kTlsPiece = 16 * 1024;

awaitable<bool> send_file_tls(core::Stream& stream, int fd, std::uint64_t offset, std::uint64_t count) {
  std::array<char, kTlsPiece> piece;
  while (count > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(count, piece.size()));
    const ssize_t n = ::pread(fd, piece.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) co_return false;  // an error, or the file is shorter than its header says
    auto [ec, w] = co_await asio::async_write(stream, asio::buffer(piece.data(), static_cast<std::size_t>(n)),
                                              use_nothrow);
    if (ec) co_return false;
    offset += static_cast<std::uint64_t>(n);
    count -= static_cast<std::uint64_t>(n);
  }
  co_return true;
}

}  // namespace

awaitable<bool> send_file(core::Stream& stream, int fd, std::uint64_t offset, std::uint64_t count) {
  if (!stream.is_plain()) {
    const bool ok = co_await send_file_tls(stream, fd, offset, count);
    co_return ok;
  }
  auto& socket = stream.lowest_layer();
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return false;
  auto off = static_cast<off_t>(offset);
  while (count > 0) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(count, 1 << 22));
    const ssize_t n = ::sendfile(socket.native_handle(), fd, &off, chunk);
    if (n > 0) {
      count -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto [wec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_write, use_nothrow);
      if (wec) co_return false;
      continue;
    }
    co_return false;  // an error, or the file is shorter than its header says
  }
  co_return true;
}

}  // namespace endhost::http::proxy
