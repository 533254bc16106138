// A switch in front of one lab service's TCP port: while on, it accepts on the planned port and forwards
// each connection to the service, which listens on the same host's address at another port
// (recipe.hpp `switchable`, switched_port()); while off, nothing listens on the planned port, so a client
// gets "connection refused", as from a server that is down. The forwarded connection is made from the
// client's own address (any 127/8 address is local), so the service sees and records its real peer: Bob's
// server names Alice's server in its Received: line and its SPF check, not the switch.
//
// The mail experiment and the dashboard's button turn Bob's server off and on through it
// (POST /api/switch). Turning it off also closes the connections it forwards, as a crash would. Loopback
// only: on emulated links no address but the host's own is local, and network/link_switch.hpp closes the
// port in the link pump instead.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/service.hpp"
#include "core/socket_place.hpp"
#include "core/transcript.hpp"
#include "lab/server_switch.hpp"

namespace endhost::lab {

class PortSwitch final : public core::Service, public ServerSwitch {
 public:
  // `place`: where its sockets are made, the host's network namespace when the links are emulated.
  PortSwitch(core::EventLoop& loop, asio::ip::tcp::endpoint front, asio::ip::tcp::endpoint back,
             core::Transcript trace, core::SocketPlace place = {});
  ~PortSwitch() override;

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  std::vector<core::NamedCount> counters() const override;

  // Thread-safe; takes effect on the switch's loop. Off: the listener is closed and every forwarded
  // connection is cut. On: the listener is bound again.
  void set_on(bool on) override;
  bool on() const override { return on_.load(std::memory_order_acquire); }

  void drain() override;
  std::size_t in_flight() const override { return active_.load(std::memory_order_acquire); }
  void abort() override;

 private:
  struct Pair;
  Expected<void, std::string> open_listener();
  void close_all();
  awaitable<void> accept_loop(std::shared_ptr<asio::ip::tcp::acceptor> acceptor);
  awaitable<void> forward(std::shared_ptr<Pair> pair);

  core::EventLoop& loop_;
  asio::ip::tcp::endpoint front_, back_;
  core::Transcript trace_;
  core::SocketPlace place_;
  std::shared_ptr<asio::ip::tcp::acceptor> acceptor_;  // on the loop only
  std::list<std::weak_ptr<Pair>> pairs_;               // on the loop only
  std::atomic<bool> on_{true};
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> active_{0};
  std::atomic<std::uint64_t> forwarded_{0}, switched_{0};
};

}  // namespace endhost::lab
