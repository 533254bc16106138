// Binding one UDP address for every event loop: each loop gets its own socket on it, so the loops read
// datagrams in parallel with no lock between them. Shared by the core's UdpServer and the DNS services'
// batched (recvmmsg) listeners.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/socket_place.hpp"

namespace endhost::core {

struct UdpBindOptions {
  // Socket buffers (0: the system's default). Larger ones absorb bursts, as a load generator sends
  // thousands of datagrams before it reads an answer.
  std::size_t receive_buffer = 4 << 20;
  std::size_t send_buffer = 0;
  // false: one bound socket, and each other loop reads it through a dup'd descriptor (the kernel gives each
  // datagram to one reader; "address in use" is still detected). true: a socket per loop, each bound with
  // SO_REUSEPORT (the kernel spreads datagrams by flow hash).
  bool reuseport = false;
  // Where the sockets are made (a lab host's namespace); empty: here.
  SocketPlace place{};
};

struct UdpPerLoop {
  asio::ip::udp::endpoint endpoint;            // as bound: port 0 replaced by the one chosen
  std::vector<asio::ip::udp::socket> sockets;  // sockets[i] belongs to loops[i]; non-blocking
};

// On failure, a sentence naming the step and the address (see describe_listen_error).
Expected<UdpPerLoop, std::string> bind_udp_per_loop(EventLoops& loops,
                                                    const asio::ip::udp::endpoint& endpoint,
                                                    const UdpBindOptions& options);

}  // namespace endhost::core
