#include "core/tcp_server.hpp"

#include <unistd.h>

#include "core/net_error.hpp"

namespace endhost::core {

TcpServer::TcpServer(EventLoops& loops, Logger& log, TcpServerOptions options)
    : loops_(loops), log_(log), options_(std::move(options)), loop_state_(loops.size()) {}

TcpServer::~TcpServer() = default;

Expected<void, std::string> TcpServer::listen(const asio::ip::tcp::endpoint& endpoint,
                                              const SocketPlace& place) {
  auto listener = std::make_unique<Listener>();
  boost::system::error_code ec;
  auto first = std::make_unique<asio::ip::tcp::acceptor>(loops_[0].io());
  auto fail = [&](std::string_view step) {
    return Unexpected(describe_listen_error(step, endpoint_text(endpoint), endpoint.port(), ec));
  };
  open_socket(*first, endpoint.protocol(), ec, place);
  if (ec) return fail("open a socket for");
  first->set_option(asio::socket_base::reuse_address(true), ec);
  // [::]:P and 0.0.0.0:P are separate listeners; without v6_only the second would fail with "in use".
  if (endpoint.address().is_v6()) first->set_option(asio::ip::v6_only(true), ec);
  first->bind(endpoint, ec);
  if (ec) return fail("listen on");
  first->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  listener->endpoint = first->local_endpoint(ec);
  int fd = first->native_handle();
  listener->acceptors.push_back(std::move(first));
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    int copy = ::dup(fd);
    if (copy < 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("share the listening socket of");
    }
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(loops_[i].io());
    acceptor->assign(listener->endpoint.protocol(), copy, ec);
    if (ec) {
      ::close(copy);
      return fail("share the listening socket of");
    }
    listener->acceptors.push_back(std::move(acceptor));
  }
  listeners_.push_back(std::move(listener));
  return {};
}

std::vector<asio::ip::tcp::endpoint> TcpServer::local_endpoints() const {
  std::vector<asio::ip::tcp::endpoint> out;
  for (const auto& l : listeners_) out.push_back(l->endpoint);
  return out;
}

void TcpServer::set_tls(std::shared_ptr<TlsServerContext> tls, std::vector<std::string> alpn,
                        std::chrono::milliseconds handshake_timeout) {
  tls_ = std::move(tls);
  alpn_ = std::move(alpn);
  handshake_timeout_ = handshake_timeout;
}

void TcpServer::start() {
  for (auto& l : listeners_) {
    for (std::size_t i = 0; i < loops_.size(); ++i) {
      asio::co_spawn(loops_[i].io(), accept_loop(*l, i), asio::detached);
    }
  }
}

awaitable<void> TcpServer::accept_loop(Listener& listener, std::size_t loop_index) {
  auto& acceptor = *listener.acceptors[loop_index];
  auto& loop = loops_[loop_index];
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(loop.io(), use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors (EMFILE/ENFILE) or memory: back off instead of spinning on the error.
      log_.warn("accept failed", {{"service", options_.name}, {"error", ec.message()}});
      asio::steady_timer pause(loop.io(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    bool refused = listener.active.fetch_add(1, std::memory_order_relaxed) >= options_.max_connections;
    total_active_.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(loop.io(), run_connection(listener, std::move(socket), loop_index, refused),
                   asio::detached);
  }
}

awaitable<void> TcpServer::run_connection(Listener& listener, asio::ip::tcp::socket socket,
                                          std::size_t loop_index, bool refused) {
  assert_on_loop(loops_[loop_index]);
  auto& state = loop_state_[loop_index];
  Connection conn(std::move(socket), loops_[loop_index]);
  auto it = state.connections.insert(state.connections.end(), &conn);
  if (state.draining) conn.start_drain();
  bool secured = true;
  if (tls_) {
    secured = false;
    auto begun = conn.stream().begin_tls_server(*tls_, &alpn_);
    // A client that has not finished its handshake has asked for nothing yet: a drain may cut it off, as it
    // does an idle connection, instead of waiting out the handshake deadline.
    if (begun && conn.begin_idle()) {
      conn.expires_after(handshake_timeout_);
      auto [ec] = co_await conn.stream().async_handshake(use_nothrow);
      conn.end_idle();
      conn.expires_never();
      conn.clear_timed_out();
      secured = !ec;
      if (ec) {
        log_.debug("TLS handshake failed",
                   {{"service", options_.name}, {"peer", conn.peer()}, {"error", Stream::error_text(ec)}});
      }
    } else if (!begun) {
      log_.warn("TLS not started", {{"service", options_.name}, {"error", begun.error()}});
    }
  }
  try {
    if (secured && !refused) {
      co_await options_.session(conn);
    } else if (secured && options_.refuse) {
      conn.expires_after(std::chrono::seconds(5));
      co_await options_.refuse(conn);
    }
  } catch (const std::exception& e) {
    log_.debug("session ended by an exception",
               {{"service", options_.name}, {"peer", conn.peer()}, {"error", e.what()}});
  }
  conn.stream().shutdown();
  state.connections.erase(it);
  listener.active.fetch_sub(1, std::memory_order_relaxed);
  total_active_.fetch_sub(1, std::memory_order_relaxed);
}

void TcpServer::drain() {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::post(loops_[i].io(), [this, i] {
      assert_on_loop(loops_[i]);
      auto& state = loop_state_[i];
      state.draining = true;
      boost::system::error_code ignored;
      for (auto& l : listeners_) l->acceptors[i]->close(ignored);
      for (Connection* c : state.connections) c->start_drain();
    });
  }
}

std::size_t TcpServer::in_flight() const {
  return total_active_.load(std::memory_order_relaxed);
}

void TcpServer::abort() {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::post(loops_[i].io(), [this, i] {
      assert_on_loop(loops_[i]);
      auto& state = loop_state_[i];
      state.draining = true;
      boost::system::error_code ignored;
      for (auto& l : listeners_) l->acceptors[i]->close(ignored);
      for (Connection* c : state.connections) {
        c->draining_ = true;
        c->stream().lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        c->stream().cancel();
      }
    });
  }
}

}  // namespace endhost::core
