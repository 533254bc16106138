// Sending a stored body to the client: on plain TCP zero-copy, sendfile(2) from the object file straight to
// the socket, waiting for the socket to become writable whenever the kernel's send buffer is full; on TLS,
// read and encrypt in 16 KiB pieces (one TLS record each).
#pragma once

#include <cstdint>

#include "core/asio.hpp"
#include "core/stream.hpp"

namespace endhost::http::proxy {

// Sends `count` bytes of `fd` from `offset`. false when the stream failed or was cancelled (deadline).
awaitable<bool> send_file(core::Stream& stream, int fd, std::uint64_t offset, std::uint64_t count);

}  // namespace endhost::http::proxy
