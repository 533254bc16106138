// Persistent connections to origin servers (RFC 9112 §9.3): one pool per event loop, so the proxy's request
// path takes no lock. A pool keeps idle connections per host:port, checks that a pooled connection is still
// open before lending it, closes idle ones past a limit, and opens new ones (name resolution, connect with a
// timeout) when none is idle.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "http/client/byte_buffer.hpp"
#include "http/client/client_error.hpp"
#include "http/client/socket_deadline.hpp"

namespace endhost::http {

struct PoolOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // a pooled connection idle longer is closed, not reused
  std::size_t max_idle_per_host = 32;
  // The receive buffer's hard maximum: a response head must fit (the parser's own limit is lower), and body
  // bytes pass through it in reads of at most 64 KiB.
  std::size_t max_buffer = 256 * 1024;
};

// One connection to a server, with its receive buffer and deadline. Owned by whoever uses it; handed back
// to the pool only when the last exchange on it ended cleanly.
class UpstreamConnection {
 public:
  UpstreamConnection(asio::ip::tcp::socket socket, std::string key, std::size_t max_buffer);
  asio::ip::tcp::socket& socket() { return socket_; }
  ByteBuffer& buffer() { return buffer_; }
  SocketDeadline& deadline() { return deadline_; }
  const std::string& key() const { return key_; }    // "host:port" as asked for
  const std::string& peer() const { return peer_; }  // "127.0.0.1:8080", for transcripts
  std::uint64_t exchanges = 0;                       // completed exchanges on this connection
  std::chrono::steady_clock::time_point idle_since;

 private:
  asio::ip::tcp::socket socket_;
  std::string key_;
  std::string peer_;
  ByteBuffer buffer_;
  SocketDeadline deadline_;
};

struct PoolStats {
  std::uint64_t opened = 0;  // TCP connections opened
  std::uint64_t reused = 0;  // exchanges that went over a pooled connection
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor executor, PoolOptions options);

  struct Lease {
    std::unique_ptr<UpstreamConnection> connection;
    bool reused = false;
  };
  // A live idle connection to host:port, or a new one. `fresh` skips the idle ones (a retry after a pooled
  // connection turned out dead).
  awaitable<Expected<Lease, ClientError>> acquire(const std::string& host, std::uint16_t port,
                                                  bool fresh = false);
  // Returns a connection whose last response was complete and allowed keep-alive.
  void release(std::unique_ptr<UpstreamConnection> connection);
  // Closes every idle connection.
  void clear();

  const PoolStats& stats() const { return stats_; }
  const asio::any_io_executor& executor() const { return executor_; }
  const PoolOptions& options() const { return options_; }

 private:
  awaitable<Expected<std::unique_ptr<UpstreamConnection>, ClientError>> open(const std::string& host,
                                                                             std::uint16_t port,
                                                                             std::string key);
  static bool still_open(UpstreamConnection& c);

  asio::any_io_executor executor_;
  PoolOptions options_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
  PoolStats stats_;
};

}  // namespace endhost::http
