#include "lab/port_switch.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/binder.hpp"

namespace endhost::lab {

namespace {

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
  return fmt::format("{}:{}", e.address().to_string(), e.port());
}

// Copies `from` to `to` until the end of `from` or an error, then shuts `to`'s sending side, so the other
// direction sees the end too.
awaitable<void> pump(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), use_nothrow);
    if (ec || n == 0) break;
    auto [wec, written] = co_await asio::async_write(to, asio::buffer(buf.data(), n), use_nothrow);
    if (wec) break;
  }
  boost::system::error_code ignored;
  to.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace

struct PortSwitch::Pair {
  explicit Pair(asio::ip::tcp::socket c) : client(std::move(c)), service(client.get_executor()) {}
  asio::ip::tcp::socket client;
  asio::ip::tcp::socket service;
  void cut() {
    boost::system::error_code ignored;
    client.close(ignored);
    service.close(ignored);
  }
};

PortSwitch::PortSwitch(core::EventLoop& loop, asio::ip::tcp::endpoint front, asio::ip::tcp::endpoint back,
                       core::Transcript trace, core::SocketPlace place)
    : loop_(loop), front_(front), back_(back), trace_(std::move(trace)), place_(std::move(place)) {}

PortSwitch::~PortSwitch() = default;

Expected<void, std::string> PortSwitch::open_listener() {
  auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(loop_.io());
  boost::system::error_code ec;
  core::open_socket(*acceptor, front_.protocol(), ec, place_);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(front_, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unexpected(fmt::format("cannot listen on {}: {}", endpoint_text(front_), ec.message()));
  acceptor_ = std::move(acceptor);
  return {};
}

Expected<void, std::string> PortSwitch::bind(core::Binder& binder) {
  if (auto ok = open_listener(); !ok) return ok;
  binder.listening("tcp", front_);
  return {};
}

void PortSwitch::start() {
  if (acceptor_) asio::co_spawn(loop_.io(), accept_loop(acceptor_), asio::detached);
}

std::vector<core::NamedCount> PortSwitch::counters() const {
  return {{"forwarded", forwarded_.load(std::memory_order_relaxed)},
          {"switched", switched_.load(std::memory_order_relaxed)},
          {"on", on() ? 1u : 0u}};
}

void PortSwitch::close_all() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    acceptor_.reset();
  }
  for (auto& weak : pairs_) {
    if (auto p = weak.lock()) p->cut();
  }
  pairs_.clear();
}

void PortSwitch::set_on(bool on) {
  asio::post(loop_.io(), [this, on] {
    if (draining_.load(std::memory_order_acquire) || on == this->on()) return;
    switched_.fetch_add(1, std::memory_order_relaxed);
    if (!on) {
      on_.store(false, std::memory_order_release);
      close_all();
      trace_.note(endpoint_text(front_), "switched off: the server is down (connections refused)");
      return;
    }
    if (auto ok = open_listener(); !ok) {
      trace_.note(endpoint_text(front_), "cannot switch on: " + ok.error());
      return;
    }
    on_.store(true, std::memory_order_release);
    trace_.note(endpoint_text(front_), "switched on: the server is back");
    asio::co_spawn(loop_.io(), accept_loop(acceptor_), asio::detached);
  });
}

void PortSwitch::drain() {
  draining_.store(true, std::memory_order_release);
  asio::post(loop_.io(), [this] { close_all(); });
}

void PortSwitch::abort() {
  drain();
}

awaitable<void> PortSwitch::accept_loop(std::shared_ptr<asio::ip::tcp::acceptor> acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
    if (ec) {
      if (!acceptor->is_open()) co_return;
      asio::steady_timer pause(loop_.io(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    auto pair = std::make_shared<Pair>(std::move(socket));
    pairs_.remove_if([](const std::weak_ptr<Pair>& w) { return w.expired(); });
    pairs_.push_back(pair);
    active_.fetch_add(1, std::memory_order_acq_rel);
    asio::co_spawn(loop_.io(), forward(std::move(pair)), asio::detached);
  }
}

awaitable<void> PortSwitch::forward(std::shared_ptr<Pair> pair) {
  boost::system::error_code ec;
  const auto peer = pair->client.remote_endpoint(ec);
  if (!ec) {
    // From the client's own address, so that the service records its real peer. With emulated links the
    // client is another namespace's address, not local here: then from the host's own.
    core::open_socket(pair->service, back_.protocol(), ec, place_);
    if (!ec) {
      pair->service.bind(asio::ip::tcp::endpoint(peer.address(), 0), ec);
      if (ec == boost::system::errc::address_not_available) ec.clear();
    }
  }
  if (!ec) {
    auto [cec] = co_await pair->service.async_connect(back_, use_nothrow);
    ec = cec;
  }
  if (!ec) {
    forwarded_.fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    pair->service.set_option(asio::ip::tcp::no_delay(true), ignored);
    pair->client.set_option(asio::ip::tcp::no_delay(true), ignored);
    using namespace asio::experimental::awaitable_operators;
    auto up = pump(pair->client, pair->service);
    auto down = pump(pair->service, pair->client);
    co_await (std::move(up) && std::move(down));
  }
  pair->cut();
  active_.fetch_sub(1, std::memory_order_acq_rel);
}

}  // namespace endhost::lab
