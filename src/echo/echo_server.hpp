// The upper-case echo servers of the socket-programming chapter: over TCP, each line a client sends comes
// back upper-cased on the same connection (many clients at once); over UDP, each datagram comes back
// upper-cased.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/metrics.hpp"
#include "core/transcript.hpp"
#include "core/udp_server.hpp"

namespace endhost::echo {

struct EchoServerConfig {
  std::size_t max_line = 64 * 1024;                 // longer lines get an error and the connection closes
  std::chrono::milliseconds idle_timeout{60'000};   // silence between lines before the server hangs up
  std::chrono::milliseconds write_timeout{30'000};  // a client that stops reading is dropped
  core::Transcript transcript;
  core::Counter* messages = nullptr;  // lines or datagrams answered (optional)
};

// One TCP connection: read a line, write it back upper-cased, until EOF, timeout or drain.
awaitable<void> serve_tcp(core::Connection& conn, const EchoServerConfig& config);

// One UDP datagram: the reply is the datagram upper-cased, sent to where it came from.
void serve_udp(core::UdpSocket& socket, std::span<const std::uint8_t> data,
               const asio::ip::udp::endpoint& from, const EchoServerConfig& config);

}  // namespace endhost::echo
