// Persistent connections to origin servers (RFC 9112 §9.3): one pool per event loop, so the proxy's request
// path takes no lock. A pool keeps idle connections per host:port, checks that a pooled connection is still
// open before lending it, and opens new ones (name resolution, connect with a timeout) when none is idle.
// Idle connections are bounded per host and in all, and a timer closes those idle past the idle timeout
// (each one holds a file descriptor and a server-side slot), so a quiet pool ends up empty.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/asio.hpp"
#include "core/byte_buffer.hpp"
#include "core/deadline.hpp"
#include "core/dialer.hpp"
#include "core/expected.hpp"
#include "core/name_resolver.hpp"
#include "core/stream.hpp"
#include "core/tls_client.hpp"
#include "http/client/client_error.hpp"
#include "http/client/pinned_address.hpp"

namespace endhost::http {

struct PoolOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // a pooled connection idle longer is closed, not reused
  std::size_t max_idle_per_host = 32;
  std::size_t max_idle_total = 256;  // over it, the connection idle longest (of any host) is closed
  // The receive buffer's hard maximum: a response head must fit (the parser's own limit is lower), and body
  // bytes pass through it in reads of at most 64 KiB.
  std::size_t max_buffer = 256 * 1024;
  // Trust settings for TLS connections (`endhost fetch`); none for the proxy, whose connections are TCP.
  std::shared_ptr<core::TlsClientContext> tls;
  // How host names become addresses (IP literals skip it); null: the system's resolver.
  std::shared_ptr<const core::NameResolver> resolver;
  // `fetch --resolve`: host:port pairs dialled at these addresses, before and instead of `resolver`.
  std::vector<PinnedAddress> pinned;
  // Where connections are made from (core::ServiceEnv::source_address: the lab host's own); empty: any.
  std::optional<asio::ip::address> local_address;
  // Where connections are made (core::ServiceEnv::socket_place: the lab host's namespace); empty: here.
  core::SocketPlace place{};
  // Addresses that must not be dialled (the forward proxy's guard); null: any.
  std::shared_ptr<const core::DialFilter> filter;
};

// A TLS connection to an origin: `host` is the name to verify and send as SNI; with `tunnel`, the TCP
// connection goes to a proxy that is asked to CONNECT to host:port first.
struct TlsTarget {
  std::string host;
  std::uint16_t port = 443;
  bool tunnel = false;
  bool offer_h2 = false;  // ALPN offers h2 before http/1.1 (RFC 9113 §3.2); tls_info().alpn tells the choice
};

// The pool's key: "host:port" for plain TCP, "https://origin:port[ via proxy:port]" for TLS.
std::string pool_key(const std::string& host, std::uint16_t port, const TlsTarget* tls);

// One connection to a server, with its receive buffer and deadline. Owned by whoever uses it; handed back
// to the pool only when the last exchange on it ended cleanly.
class UpstreamConnection {
 public:
  UpstreamConnection(asio::ip::tcp::socket socket, std::string key, std::size_t max_buffer);
  ~UpstreamConnection();
  // Plain TCP, or TLS once ConnectionPool::acquire secured it; all I/O goes through it.
  core::Stream& stream() { return stream_; }
  asio::ip::tcp::socket& socket() { return stream_.lowest_layer(); }
  bool tls() const { return !stream_.is_plain(); }
  core::ByteBuffer& buffer() { return buffer_; }
  core::Deadline& deadline() { return deadline_; }
  const std::string& key() const { return key_; }    // pool_key(): "host:port" as asked for
  const std::string& peer() const { return peer_; }  // "127.0.0.1:8080", for transcripts
  std::uint64_t exchanges = 0;                       // completed exchanges on this connection
  std::chrono::steady_clock::time_point idle_since;

 private:
  core::Stream stream_;
  std::string key_;
  std::string peer_;
  core::ByteBuffer buffer_;
  core::Deadline deadline_;  // watches stream_'s socket, so declared after it
};

struct PoolStats {
  std::uint64_t opened = 0;                              // TCP connections opened
  std::uint64_t reused = 0;                              // exchanges that went over a pooled connection
  std::chrono::steady_clock::time_point last_connected;  // when the newest TCP connect completed
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor executor, PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  struct Lease {
    std::unique_ptr<UpstreamConnection> connection;
    bool reused = false;
  };
  // A live idle connection to host:port, or a new one. `fresh` skips the idle ones (a retry after a pooled
  // connection turned out dead).
  // With `tls`, host:port is where TCP goes (the origin, or the proxy to CONNECT through) and the
  // connection is a TLS one to tls->host, pooled apart from plain ones.
  awaitable<Expected<Lease, ClientError>> acquire(const std::string& host, std::uint16_t port,
                                                  bool fresh = false, const TlsTarget* tls = nullptr);
  // Returns a connection whose last response was complete and allowed keep-alive.
  void release(std::unique_ptr<UpstreamConnection> connection);
  // Closes every idle connection (and stops the reaper's timer, so call it before the event loop's
  // io_context goes away).
  void clear();
  // Closes idle connections idle since `now - idle_timeout` or closed by their server, and forgets hosts
  // with none left. The reaper's timer calls it; public for tests.
  void reap(std::chrono::steady_clock::time_point now);

  std::size_t idle_connections() const { return idle_total_; }
  std::size_t idle_hosts() const { return idle_.size(); }

  const PoolStats& stats() const { return stats_; }
  const asio::any_io_executor& executor() const { return executor_; }
  const PoolOptions& options() const { return options_; }

 private:
  awaitable<Expected<std::unique_ptr<UpstreamConnection>, ClientError>> open(const std::string& host,
                                                                             std::uint16_t port,
                                                                             std::string key);
  awaitable<Expected<void, ClientError>> secure(UpstreamConnection& c, const TlsTarget& tls);
  static bool still_open(UpstreamConnection& c);
  void close_oldest();
  void arm_reaper();

  asio::any_io_executor executor_;
  PoolOptions options_;
  // Per host:port, oldest first (release appends, acquire takes the newest: it is the likeliest alive).
  std::unordered_map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle_;
  std::size_t idle_total_ = 0;
  PoolStats stats_;
  // Armed while any connection is idle, for the oldest one's expiry. Its handler holds a weak reference
  // to `alive_`, so a completion queued just before the pool was destroyed finds it gone.
  std::optional<asio::steady_timer> reaper_;
  bool reaper_armed_ = false;
  std::shared_ptr<ConnectionPool*> alive_;
};

}  // namespace endhost::http
