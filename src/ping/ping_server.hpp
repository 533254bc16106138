// The UDP ping server of the socket-programming lab: every ping is answered with its text upper-cased, after
// the simulated loss and delay of a LossModel; heartbeats are not answered but tracked, and the server
// reports lost heartbeats and clients that went silent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/drainable.hpp"
#include "core/expected.hpp"
#include "core/service_host.hpp"
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
};

class PingServer final : public core::Drainable {
 public:
  PingServer(core::ServiceHost& host, PingServerConfig config);

  core::UdpServer& udp() { return udp_; }  // bind through it
  void start();

  void drain() override;
  std::size_t in_flight() const override { return pending_.load(std::memory_order_relaxed); }
  void abort() override { udp_.abort(); }

 private:
  void on_datagram(core::UdpSocket& socket, std::span<const std::uint8_t> data,
                   const asio::ip::udp::endpoint& from);
  void report(const std::vector<HeartbeatEvent>& events);
  awaitable<void> tick();

  core::ServiceHost& host_;
  PingServerConfig config_;
  core::UdpServer udp_;
  std::mutex mutex_;  // guards responder_: arrival order decides the losses, across loops
  PingResponder responder_;
  std::atomic<std::size_t> pending_{0};  // delayed replies not yet sent
  std::atomic<bool> stopping_{false};
  core::Counter& requests_;
  core::Counter& dropped_;
};

}  // namespace endhost::ping
