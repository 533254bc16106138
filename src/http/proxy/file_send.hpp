// Zero-copy sending of a stored body: sendfile(2) from the object file straight to the client socket,
// waiting for the socket to become writable whenever the kernel's send buffer is full.
#pragma once

#include <cstdint>

#include "core/asio.hpp"

namespace endhost::http::proxy {

// Sends `count` bytes of `fd` from `offset`. false when the socket failed or was cancelled (deadline).
awaitable<bool> send_file(asio::ip::tcp::socket& socket, int fd, std::uint64_t offset, std::uint64_t count);

}  // namespace endhost::http::proxy
