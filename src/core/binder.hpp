// Binds a service's listeners and logs one `listening service=… [host=…] protocol=… address=…` line per
// bound socket — the line people and tests read the real port from, so its format is fixed here only. It
// also remembers the lowest port bound, which decides whether a root process drops its privileges by default
// (privileges.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/socket_place.hpp"

namespace endhost::core {

class TcpServer;
class UdpServer;

class Binder {
 public:
  // `host` is the lab host's name, logged after the service; empty for `endhost <service> serve`. `place`:
  // where the listening sockets are made (the lab host's namespace, ServiceEnv::socket_place); empty: here.
  Binder(Logger& log, std::string service, std::string host = {}, SocketPlace place = {})
      : log_(log), service_(std::move(service)), host_(std::move(host)), place_(std::move(place)) {}

  // Binds every endpoint, then logs each bound address. The error is the one-line reason of the first
  // endpoint that could not be bound.
  Expected<void, std::string> tcp(TcpServer& server, std::span<const asio::ip::tcp::endpoint> endpoints);
  Expected<void, std::string> udp(UdpServer& server, std::span<const asio::ip::udp::endpoint> endpoints);

  // For services that bind their own sockets (DNS, the resolver): logs the line and records the port.
  void listening(std::string_view protocol, const asio::ip::tcp::endpoint& bound);
  void listening(std::string_view protocol, const asio::ip::udp::endpoint& bound);

  const std::string& service() const { return service_; }
  // Where listeners are made; services that bind their own sockets pass it to them.
  const SocketPlace& place() const { return place_; }
  // The lowest port bound so far; 0 before any.
  std::uint16_t lowest_port() const { return lowest_port_; }

 private:
  void log_line(std::string_view protocol, const std::string& address, std::uint16_t port);

  Logger& log_;
  std::string service_;
  std::string host_;
  SocketPlace place_;
  std::uint16_t lowest_port_ = 0;
};

}  // namespace endhost::core
