// The ping server's decisions without sockets, timers or clocks: a datagram received at a given time is
// answered (upper-cased, now or after the simulated delay), dropped by the loss model, or tracked as a
// heartbeat; ticks report heartbeats lost and clients gone silent. The server runs it under a mutex; tests
// replay transcripts against it with a fake clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ping/heartbeat_tracker.hpp"
#include "ping/loss_model.hpp"

namespace endhost::ping {

class PingResponder {
 public:
  using clock = HeartbeatTracker::clock;

  PingResponder(LossModel model, std::chrono::milliseconds heartbeat_timeout)
      : model_(std::move(model)), tracker_(heartbeat_timeout), heartbeat_timeout_(heartbeat_timeout) {}

  struct Outcome {
    enum class Kind { Reply, Dropped, Heartbeat };
    Kind kind = Kind::Reply;
    std::string reply;                   // Reply: the datagram to send back
    std::chrono::microseconds delay{0};  // Reply: after this simulated delay
    std::vector<HeartbeatEvent> events;  // Heartbeat
  };

  Outcome on_datagram(const std::string& peer, std::string_view text, clock::time_point now);
  std::vector<HeartbeatEvent> on_tick(clock::time_point now) { return tracker_.on_tick(now); }

  // How often the server ticks: a tenth of the heartbeat timeout, at least 20 ms.
  std::chrono::milliseconds tick_period() const;

 private:
  LossModel model_;
  HeartbeatTracker tracker_;
  std::chrono::milliseconds heartbeat_timeout_;
};

// The transcript's note for a heartbeat event, when it has one (losses and departures).
std::optional<std::string> heartbeat_note(const HeartbeatEvent& event);

}  // namespace endhost::ping
