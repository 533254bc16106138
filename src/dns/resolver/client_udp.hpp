// The resolver's UDP listener for clients. Like core::UdpServer, every event loop reads the same bound socket
// (each through its own descriptor); unlike it, a loop takes up to kBatch datagrams per recvmmsg(2) and sends
// the answers it could give at once (cache hits, refusals) with one sendmmsg(2), so a busy resolver pays two
// system calls per batch instead of two per query (NSD and Knot do the same). Answers given later, after a
// resolution, go out with a plain sendto on the loop's socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/drainable.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/udp_server.hpp"

namespace endhost::dns::resolver {

// One loop's view of a bound socket: the core's, as the UDP server uses it (non-blocking sends that drop
// the datagram when the socket buffer is full, as UDP may).
using ClientSocket = core::UdpSocket;

class ClientUdp final : public core::Drainable {
 public:
  static constexpr std::size_t kBatch = 32;
  // Client queries are small; a larger datagram is cut here and then fails to parse (FORMERR, or dropped).
  static constexpr std::size_t kMaxQuery = 4096;

  // Called on the reading loop for each datagram. Writes an immediate answer into `reply` (at most
  // reply.size() octets) and returns its size, or returns 0 (nothing now: dropped, or answered later through
  // `socket`). `data` is valid only during the call.
  using Handler =
      std::function<std::size_t(ClientSocket& socket, std::span<const std::uint8_t> data,
                                const asio::ip::udp::endpoint& from, std::span<std::uint8_t> reply)>;

  ClientUdp(core::EventLoops& loops, core::Logger& log, std::size_t max_reply, Handler handler);
  ~ClientUdp() override;

  // With the sockets made in `place` (a lab host's namespace).
  Expected<void, std::string> listen(const asio::ip::udp::endpoint& endpoint,
                                     const core::SocketPlace& place = {});
  std::vector<asio::ip::udp::endpoint> local_endpoints() const;
  void start();

  // Stops reading; answers still owed can be sent until the loops stop.
  void drain() override;
  std::size_t in_flight() const override { return 0; }
  void abort() override { drain(); }

 private:
  struct Bound {
    asio::ip::udp::endpoint endpoint;
    std::vector<std::unique_ptr<ClientSocket>> sockets;  // one per loop
  };
  awaitable<void> receive_loop(ClientSocket& socket);

  core::EventLoops& loops_;
  core::Logger& log_;
  std::size_t max_reply_;
  Handler handler_;
  std::vector<std::unique_ptr<Bound>> bound_;
};

}  // namespace endhost::dns::resolver
