// A live TCP connection as a session sees it: the stream (plain or TLS), its event loop, the peer, a deadline
// that cancels the stream's pending operations when it passes, and the server's drain state. A Connection
// lives in the frame of the coroutine that TcpServer spawns for it and is used only on its loop's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/asio.hpp"
#include "core/deadline.hpp"
#include "core/event_loop.hpp"
#include "core/stream.hpp"

namespace endhost::core {

class Connection {
 public:
  using clock = std::chrono::steady_clock;

  Connection(asio::ip::tcp::socket socket, EventLoop& loop);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Stream& stream() { return stream_; }
  EventLoop& loop() { return loop_; }
  const asio::ip::tcp::endpoint& remote() const { return remote_; }
  const asio::ip::tcp::endpoint& local() const { return local_; }
  const std::string& peer() const { return peer_; }  // "127.0.0.1:40122", for logs and transcripts

  // Deadlines (core::Deadline). When the deadline passes, the stream's pending reads and writes complete with
  // operation_aborted and timed_out() turns true; the session decides what to do (send 408, close…).
  void expires_after(clock::duration d) { deadline_.expires_after(d); }
  void expires_never() { deadline_.expires_never(); }
  bool timed_out() const { return deadline_.timed_out(); }
  void clear_timed_out() { deadline_.clear_timed_out(); }

  // Drain protocol. A session calls begin_idle() before waiting for the next request: false means the server
  // is shutting down and the session should close now. While idle, a drain cancels the pending read at once;
  // a connection in the middle of an exchange is left to finish it, then sees draining() and closes.
  bool begin_idle();
  void end_idle() { idle_ = false; }
  bool draining() const { return draining_; }

 private:
  friend class TcpServer;
  void start_drain();

  Stream stream_;
  Deadline deadline_;  // refers to stream_'s socket, so declared after it
  EventLoop& loop_;
  asio::ip::tcp::endpoint remote_;
  asio::ip::tcp::endpoint local_;
  std::string peer_;
  bool idle_ = false;
  bool draining_ = false;
};

std::string endpoint_text(const asio::ip::tcp::endpoint& ep);
std::string endpoint_text(const asio::ip::udp::endpoint& ep);

}  // namespace endhost::core
