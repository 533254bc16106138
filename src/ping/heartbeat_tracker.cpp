#include "ping/heartbeat_tracker.hpp"

namespace endhost::ping {

std::vector<HeartbeatEvent> HeartbeatTracker::on_heartbeat(const std::string& client, std::uint64_t seq,
                                                           core::Instant now) {
  std::vector<HeartbeatEvent> events;
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    if (clients_.size() >= max_clients_) return events;
    clients_.emplace(client, State{seq, now});
    events.push_back({HeartbeatEvent::Kind::NewClient, client, seq, 0, 0, {}});
    return events;
  }
  State& s = it->second;
  if (seq > s.last_seq + 1) {
    events.push_back({HeartbeatEvent::Kind::Lost, client, seq, s.last_seq + 1, seq - 1, {}});
  } else if (seq <= s.last_seq) {
    events.push_back({HeartbeatEvent::Kind::Late, client, seq, 0, 0, {}});
  }
  if (seq > s.last_seq) s.last_seq = seq;
  s.last_seen = now;
  return events;
}

std::vector<HeartbeatEvent> HeartbeatTracker::on_tick(core::Instant now) {
  std::vector<HeartbeatEvent> events;
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.last_seen);
    if (silent > gone_after_) {
      events.push_back({HeartbeatEvent::Kind::Gone, it->first, it->second.last_seq, 0, 0, silent});
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
  return events;
}

}  // namespace endhost::ping
