#include "core/binder.hpp"

#include "core/connection.hpp"
#include "core/tcp_server.hpp"
#include "core/udp_server.hpp"

namespace endhost::core {

Expected<void, std::string> Binder::tcp(TcpServer& server,
                                        std::span<const asio::ip::tcp::endpoint> endpoints) {
  const std::size_t before = server.local_endpoints().size();
  for (const auto& ep : endpoints) {
    if (auto ok = server.listen(ep, place_); !ok) return ok;
  }
  const auto bound = server.local_endpoints();
  for (std::size_t i = before; i < bound.size(); ++i) listening("tcp", bound[i]);
  return {};
}

Expected<void, std::string> Binder::udp(UdpServer& server,
                                        std::span<const asio::ip::udp::endpoint> endpoints) {
  const std::size_t before = server.local_endpoints().size();
  for (const auto& ep : endpoints) {
    if (auto ok = server.listen(ep, place_); !ok) return ok;
  }
  const auto bound = server.local_endpoints();
  for (std::size_t i = before; i < bound.size(); ++i) listening("udp", bound[i]);
  return {};
}

void Binder::listening(std::string_view protocol, const asio::ip::tcp::endpoint& bound) {
  log_line(protocol, endpoint_text(bound), bound.port());
}

void Binder::listening(std::string_view protocol, const asio::ip::udp::endpoint& bound) {
  log_line(protocol, endpoint_text(bound), bound.port());
}

void Binder::log_line(std::string_view protocol, const std::string& address, std::uint16_t port) {
  if (lowest_port_ == 0 || port < lowest_port_) lowest_port_ = port;
  if (host_.empty()) {
    log_.info("listening", {{"service", service_}, {"protocol", protocol}, {"address", address}});
  } else {
    log_.info("listening",
              {{"service", service_}, {"host", host_}, {"protocol", protocol}, {"address", address}});
  }
}

}  // namespace endhost::core
