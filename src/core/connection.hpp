// A live TCP connection as a session sees it: the socket, its event loop, the peer, a deadline that cancels
// the socket's pending operations when it passes, and the server's drain state. A Connection lives in the
// frame of the coroutine that TcpServer spawns for it and is used only on its loop's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <string>

#include "core/asio.hpp"
#include "core/event_loop.hpp"

namespace endhost::core {

class Connection {
 public:
  using clock = std::chrono::steady_clock;

  Connection(asio::ip::tcp::socket socket, EventLoop& loop);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  asio::ip::tcp::socket& socket() { return socket_; }
  EventLoop& loop() { return loop_; }
  const asio::ip::tcp::endpoint& remote() const { return remote_; }
  const asio::ip::tcp::endpoint& local() const { return local_; }
  const std::string& peer() const { return peer_; }  // "127.0.0.1:40122", for logs and transcripts

  // Deadlines. When the deadline passes, the socket's pending reads and writes complete with
  // operation_aborted and timed_out() turns true; the session decides what to do (send 408, close…). Setting
  // a deadline costs a clock read and a compare: the timer is re-armed only when a deadline moves earlier.
  void expires_after(clock::duration d);
  void expires_never();
  bool timed_out() const;
  void clear_timed_out();

  // Drain protocol. A session calls begin_idle() before waiting for the next request: false means the server
  // is shutting down and the session should close now. While idle, a drain cancels the pending read at once;
  // a connection in the middle of an exchange is left to finish it, then sees draining() and closes.
  bool begin_idle();
  void end_idle() { idle_ = false; }
  bool draining() const { return draining_; }

  struct Watch;  // the deadline's state, shared with its timer handler (connection.cpp)

 private:
  friend class TcpServer;
  void start_drain();

  asio::ip::tcp::socket socket_;
  EventLoop& loop_;
  asio::ip::tcp::endpoint remote_;
  asio::ip::tcp::endpoint local_;
  std::string peer_;
  std::shared_ptr<Watch> watch_;
  bool idle_ = false;
  bool draining_ = false;
};

std::string endpoint_text(const asio::ip::tcp::endpoint& ep);
std::string endpoint_text(const asio::ip::udp::endpoint& ep);

}  // namespace endhost::core
