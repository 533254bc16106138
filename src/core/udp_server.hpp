// Receives datagrams on one or more addresses, on every event loop (all loops read the same bound socket,
// each through its own descriptor), and hands each datagram to a handler on the loop that read it.
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
#include "core/socket_place.hpp"

namespace endhost::core {

// One bound socket as one loop sees it. Used only on that loop's thread.
class UdpSocket {
 public:
  UdpSocket(EventLoop& loop, asio::ip::udp::socket socket) : loop_(loop), socket_(std::move(socket)) {}
  EventLoop& loop() { return loop_; }
  asio::ip::udp::socket& socket() { return socket_; }
  // Sends without blocking. When the socket buffer is full the datagram is dropped, as UDP may always do;
  // returns false then (or on any other error).
  bool send_to(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& to);

 private:
  EventLoop& loop_;
  asio::ip::udp::socket socket_;
};

struct UdpServerOptions {
  std::string name;
  std::size_t max_datagram = 65'535;
  // Called on the reading loop's thread; `data` is valid only during the call. Handlers that reply later copy
  // what they need.
  std::function<void(UdpSocket& socket, std::span<const std::uint8_t> data,
                     const asio::ip::udp::endpoint& from)>
      on_datagram;
};

class UdpServer final : public Drainable {
 public:
  UdpServer(EventLoops& loops, Logger& log, UdpServerOptions options);
  ~UdpServer() override;

  // Binds, with the sockets made in `place` (a lab host's namespace).
  Expected<void, std::string> listen(const asio::ip::udp::endpoint& endpoint, const SocketPlace& place = {});
  std::vector<asio::ip::udp::endpoint> local_endpoints() const;
  void start();

  // Stops reading. Replies a handler still owes (it counts them itself, as a Drainable of its own) can still
  // be sent until the loops stop.
  void drain() override;
  std::size_t in_flight() const override { return 0; }
  void abort() override { drain(); }

 private:
  struct Bound {
    asio::ip::udp::endpoint endpoint;
    std::vector<std::unique_ptr<UdpSocket>> sockets;  // one per loop
  };
  awaitable<void> receive_loop(UdpSocket& socket);

  EventLoops& loops_;
  Logger& log_;
  UdpServerOptions options_;
  std::vector<std::unique_ptr<Bound>> bound_;
};

}  // namespace endhost::core
