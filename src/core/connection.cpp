#include "core/connection.hpp"

namespace endhost::core {

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

std::string endpoint_text(const asio::ip::udp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

Connection::Connection(asio::ip::tcp::socket socket, EventLoop& loop)
    : stream_(std::move(socket)), deadline_(loop.io().get_executor(), stream_.lowest_layer()), loop_(loop) {
  boost::system::error_code ec;
  remote_ = stream_.lowest_layer().remote_endpoint(ec);
  local_ = stream_.lowest_layer().local_endpoint(ec);
  peer_ = endpoint_text(remote_);
}

bool Connection::begin_idle() {
  if (draining_) return false;
  idle_ = true;
  return true;
}

void Connection::start_drain() {
  draining_ = true;
  if (idle_) stream_.cancel();
}

}  // namespace endhost::core
