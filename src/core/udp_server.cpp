#include "core/udp_server.hpp"

#include <unistd.h>

#include "core/connection.hpp"
#include "core/net_error.hpp"
#include "core/udp_bind.hpp"

namespace endhost::core {

bool UdpSocket::send_to(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& to) {
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(data.data(), data.size()), to, 0, ec);
  return !ec;
}

UdpServer::UdpServer(EventLoops& loops, Logger& log, UdpServerOptions options)
    : loops_(loops), log_(log), options_(std::move(options)) {}

UdpServer::~UdpServer() = default;

Expected<void, std::string> UdpServer::listen(const asio::ip::udp::endpoint& endpoint,
                                              const SocketPlace& place) {
  UdpBindOptions bind_options;
  bind_options.place = place;
  auto per_loop = bind_udp_per_loop(loops_, endpoint, bind_options);
  if (!per_loop) return Unexpected(per_loop.error());
  auto bound = std::make_unique<Bound>();
  bound->endpoint = per_loop->endpoint;
  for (std::size_t i = 0; i < per_loop->sockets.size(); ++i)
    bound->sockets.push_back(std::make_unique<UdpSocket>(loops_[i], std::move(per_loop->sockets[i])));
  bound_.push_back(std::move(bound));
  return {};
}

std::vector<asio::ip::udp::endpoint> UdpServer::local_endpoints() const {
  std::vector<asio::ip::udp::endpoint> out;
  for (const auto& b : bound_) out.push_back(b->endpoint);
  return out;
}

void UdpServer::start() {
  for (auto& b : bound_) {
    for (auto& s : b->sockets) asio::co_spawn(s->loop().io(), receive_loop(*s), asio::detached);
  }
}

awaitable<void> UdpServer::receive_loop(UdpSocket& socket) {
  std::vector<std::uint8_t> buffer(options_.max_datagram);
  asio::ip::udp::endpoint from;
  for (;;) {
    auto [ec, n] = co_await socket.socket().async_receive_from(asio::buffer(buffer), from, use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !socket.socket().is_open()) co_return;
      continue;  // e.g. ICMP port unreachable reported for an earlier send: not fatal for a server
    }
    try {
      options_.on_datagram(socket, std::span<const std::uint8_t>(buffer.data(), n), from);
    } catch (const std::exception& e) {
      log_.debug("datagram handler failed", {{"service", options_.name}, {"error", e.what()}});
    }
  }
}

void UdpServer::drain() {
  for (auto& b : bound_) {
    for (auto& s : b->sockets) {
      UdpSocket* sock = s.get();
      // Cancel, not close: a handler's delayed reply (ping --delay) may still be sent during the grace
      // period.
      asio::post(sock->loop().io(), [sock] {
        boost::system::error_code ignored;
        sock->socket().cancel(ignored);
      });
    }
  }
}

}  // namespace endhost::core
