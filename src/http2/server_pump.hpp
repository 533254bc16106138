// ServerPump: the I/O around one http2::ServerConnection on a client socket, shared by the web server and the
// proxy. A reader coroutine feeds the connection everything readable; a writer sends what take_output()
// gives through the session, then waits for a kick (new output) or the connection's next timer. One socket
// deadline follows the connection's state. The sessions keep what differs: how Output is sent (the web
// server's file extents) and what serves the streams.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/token_bucket.hpp"
#include "http2/output.hpp"
#include "http2/server_connection.hpp"

namespace endhost::http2 {

// The session's side of the pump.
class PumpSession {
 public:
  virtual ~PumpSession() = default;
  // Writes one take_output() batch: its bytes, and any extents the session owns. false: the socket failed.
  virtual awaitable<bool> send_output(const Output& out) = 0;
  // Bytes read from the client (for metrics).
  virtual void received(std::size_t /*bytes*/) {}
  // Work in progress the connection does not count as an open stream (the proxy's fetches still under way):
  // the connection is not idle while it lasts.
  virtual bool busy() const { return false; }
  // The output budget (--limit-rate): the bucket this connection's writes are paced by, or nullptr for as
  // fast as the client reads. Each turn the pump produces no more than the bucket holds, so the scheduler
  // still interleaves the streams' DATA frames within what the rate allows; while it is empty the pump
  // waits on its timer, never blocking the loop.
  virtual core::TokenBucket* output_budget() { return nullptr; }
};

struct PumpTimeouts {
  std::chrono::milliseconds send;    // a write under way
  std::chrono::milliseconds header;  // a frame or field block half received
  std::chrono::milliseconds idle;    // no stream open
  std::chrono::milliseconds active;  // streams open, nothing being written or half received
};

class ServerPump {
 public:
  // `read_buffer` may be shared by the connections of one loop: a read is consumed before the next.
  ServerPump(ServerConnection& h2, core::Connection& conn, PumpSession& session, PumpTimeouts timeouts,
             std::string& read_buffer);

  // Feeds `preread` (bytes read before HTTP/2 was known: the preface and what followed), then runs until the
  // connection is over and the reader has stopped. The socket is shut down on return.
  awaitable<void> run(std::string& preread);
  // There is output to send (a stream's Session submitted something from outside the reader).
  void kick() { write_signal_.cancel(); }

 private:
  awaitable<void> read_loop();
  void arm_deadline();

  ServerConnection& h2_;
  core::Connection& conn_;
  PumpSession& session_;
  PumpTimeouts timeouts_;
  std::string& buf_;
  asio::steady_timer write_signal_;
  std::unique_ptr<Output> out_;  // lent by the loop while there is output (server_pump.cpp)
  bool reader_done_ = false;
  bool sending_ = false;
};

}  // namespace endhost::http2
