// Accepts TCP connections on one or more addresses and runs a session coroutine for each, on every event
// loop. All loops wait on the same listening socket (each through its own descriptor, as nginx's workers
// share theirs), so whichever loop is free takes the next connection and a connection stays on the loop that
// accepted it. The listener enforces a connection limit and drains on shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/drainable.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/socket_place.hpp"
#include "core/tls_server_context.hpp"

namespace endhost::core {

struct TcpServerOptions {
  std::string name;                      // the service, for logs: "echo", "web"
  std::size_t max_connections = 10'000;  // per listening address
  // Runs one connection. Exceptions are caught and logged at debug level; the connection is then closed.
  std::function<awaitable<void>(Connection&)> session;
  // Runs instead of `session` when the limit is reached, to refuse politely (an HTTP 503, an SMTP 421). The
  // connection is closed afterwards. Unset: close at once.
  std::function<awaitable<void>(Connection&)> refuse;
};

class TcpServer final : public Drainable {
 public:
  TcpServer(EventLoops& loops, Logger& log, TcpServerOptions options);
  ~TcpServer() override;

  // Binds and listens, with the socket made in `place` (a lab host's namespace). The error is a sentence for
  // a human (see net_error.hpp).
  Expected<void, std::string> listen(const asio::ip::tcp::endpoint& endpoint, const SocketPlace& place = {});
  // The bound addresses (with the real port when 0 was asked for).
  std::vector<asio::ip::tcp::endpoint> local_endpoints() const;
  // TLS on every connection (--tls-cert/--tls-key; null: plain TCP). The handshake runs before the session
  // or the refusal, within `handshake_timeout`; a failed one is logged at debug level and closes the
  // connection. `alpn`: the protocols the service speaks (RFC 7301), in its order of preference, such as
  // {"http/1.1"}. Call before start().
  void set_tls(std::shared_ptr<TlsServerContext> tls, std::vector<std::string> alpn,
               std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10));
  // Starts accepting on every loop. Call once, after listen() and before or while the loops run.
  void start();

  void drain() override;
  std::size_t in_flight() const override;
  void abort() override;

  std::size_t open_connections() const { return in_flight(); }

 private:
  struct Listener {
    asio::ip::tcp::endpoint endpoint;
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;  // one per loop, same socket
    std::atomic<std::size_t> active{0};
  };
  struct LoopState {
    std::list<Connection*> connections;  // touched only on this loop's thread
    bool draining = false;
  };

  awaitable<void> accept_loop(Listener& listener, std::size_t loop_index);
  awaitable<void> run_connection(Listener& listener, asio::ip::tcp::socket socket, std::size_t loop_index,
                                 bool refused);

  EventLoops& loops_;
  Logger& log_;
  TcpServerOptions options_;
  std::shared_ptr<TlsServerContext> tls_;
  std::vector<std::string> alpn_;
  std::chrono::milliseconds handshake_timeout_{10'000};
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<LoopState> loop_state_;
  std::atomic<std::size_t> total_active_{0};
};

}  // namespace endhost::core
