// A deadline for a client socket: when it passes, the socket's pending operations are cancelled and
// timed_out() turns true (the same watchdog as core::Connection, for sockets we dialled). Used on the
// socket's own loop thread only.
#pragma once

#include <chrono>
#include <memory>

#include "core/asio.hpp"

namespace endhost::http {

class SocketDeadline {
 public:
  using clock = std::chrono::steady_clock;
  SocketDeadline(asio::any_io_executor executor, asio::ip::tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  void expires_after(clock::duration d);
  void expires_never();
  bool timed_out() const;
  void clear_timed_out();

  struct Watch;

 private:
  std::shared_ptr<Watch> watch_;
};

}  // namespace endhost::http
