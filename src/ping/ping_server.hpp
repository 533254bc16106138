// The UDP ping server of the socket-programming lab: every ping is answered with its text upper-cased, after
// the simulated loss and delay of a LossModel; heartbeats are not answered but tracked, and the server
// reports lost heartbeats and clients that went silent. A core::Service: `endhost ping serve` and the lab's
// ping hosts build it from ping_settings.hpp's options.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/transcript.hpp"
#include "core/udp_server.hpp"
#include "ping/ping_responder.hpp"

namespace endhost::ping {

inline constexpr std::uint16_t kDefaultPort = 12000;

struct PingServerConfig {
  LossSettings loss;
  std::optional<std::uint64_t> seed;  // unset: a random seed, logged so a run can be repeated
  std::chrono::milliseconds heartbeat_timeout{5'000};
  core::Transcript transcript;
  std::vector<asio::ip::udp::endpoint> listen;  // bound by bind()
};

class PingServer final : public core::Service {
 public:
  // Counts into `metrics` (endhost_ping_*). The loops and the logger must outlive the server.
  PingServer(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
             PingServerConfig config);

  core::UdpServer& udp() { return udp_; }

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  // The dashboard's numbers; the first is the unit's "requests".
  std::vector<core::NamedCount> counters() const override {
    return {{"received", requests_.value()}, {"dropped", dropped_.value()}};
  }

  // Stops the heartbeat ticks and the listener; delayed replies still pending are in flight.
  void drain() override;
  std::size_t in_flight() const override {
    return core::Service::in_flight() + pending_.load(std::memory_order_relaxed);
  }

 private:
  void on_datagram(core::UdpSocket& socket, std::span<const std::uint8_t> data,
                   const asio::ip::udp::endpoint& from);
  void report(const std::vector<HeartbeatEvent>& events);
  awaitable<void> tick();

  core::EventLoops& loops_;
  core::Logger& log_;
  PingServerConfig config_;
  core::UdpServer udp_;
  std::mutex mutex_;  // guards responder_: arrival order decides the losses, across loops
  PingResponder responder_;
  core::SystemClock clock_;              // the responder's time
  std::atomic<std::size_t> pending_{0};  // delayed replies not yet sent
  std::atomic<bool> stopping_{false};
  core::Counter& requests_;
  core::Counter& dropped_;
};

}  // namespace endhost::ping
