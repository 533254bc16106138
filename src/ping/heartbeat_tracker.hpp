// The UDP heartbeat exercise, server side: clients send `Heartbeat <seq> <time>` at a steady rate; the
// tracker notices sequence numbers that never arrived and clients that have gone silent for longer than a
// limit. Sans-I/O: the caller passes the time in and acts on the events returned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace endhost::ping {

struct HeartbeatEvent {
  enum class Kind {
    NewClient,  // first heartbeat from this client
    Lost,       // sequence numbers first_lost..last_lost never arrived
    Late,       // seq arrived after a higher one (reordered or duplicated)
    Gone,       // no heartbeat for longer than the limit; the client is forgotten
  };
  Kind kind;
  std::string client;
  std::uint64_t seq = 0;  // the heartbeat that caused the event (Gone: the last one seen)
  std::uint64_t first_lost = 0;
  std::uint64_t last_lost = 0;
  std::chrono::milliseconds silent_for{0};  // Gone only
};

class HeartbeatTracker {
 public:
  // Clients silent for longer than `gone_after` are reported gone. At most `max_clients` are tracked; further
  // ones are ignored until some leave, so a flood of spoofed sources cannot grow memory without bound.
  explicit HeartbeatTracker(std::chrono::milliseconds gone_after, std::size_t max_clients = 10'000)
      : gone_after_(gone_after), max_clients_(max_clients) {}

  std::vector<HeartbeatEvent> on_heartbeat(const std::string& client, std::uint64_t seq, core::Instant now);
  std::vector<HeartbeatEvent> on_tick(core::Instant now);
  std::size_t clients() const { return clients_.size(); }

 private:
  struct State {
    std::uint64_t last_seq = 0;
    core::Instant last_seen;
  };
  std::chrono::milliseconds gone_after_;
  std::size_t max_clients_;
  std::unordered_map<std::string, State> clients_;
};

}  // namespace endhost::ping
