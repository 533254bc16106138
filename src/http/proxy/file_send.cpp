#include "http/proxy/file_send.hpp"

#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>

namespace endhost::http::proxy {

awaitable<bool> send_file(asio::ip::tcp::socket& socket, int fd, std::uint64_t offset, std::uint64_t count) {
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
