#include "ping/ping_responder.hpp"

#include <algorithm>

#include "core/ascii_case.hpp"
#include "ping/ping_message.hpp"

namespace endhost::ping {

PingResponder::Outcome PingResponder::on_datagram(const std::string& peer, std::string_view text,
                                                  clock::time_point now) {
  Outcome out;
  // The loss model stands for the network, so heartbeats go through it too: a heartbeat it drops never
  // reaches the tracker, which then reports the gap, as the textbook's heartbeat exercise expects.
  const LossModel::Decision decision = model_.decide();
  if (decision.drop) {
    out.kind = Outcome::Kind::Dropped;
    return out;
  }
  auto message = parse_message(text);
  if (message && message->kind == Kind::Heartbeat) {
    // One-way: there is no reply to delay, so the simulated delay does not apply.
    out.kind = Outcome::Kind::Heartbeat;
    out.events = tracker_.on_heartbeat(peer, message->seq, now);
    return out;
  }
  // Like the lab's server, any datagram is answered upper-cased, not only well-formed pings.
  out.reply = core::upper_case(text);
  out.delay = decision.delay;
  return out;
}

std::chrono::milliseconds PingResponder::tick_period() const {
  return std::max(std::chrono::milliseconds(20), heartbeat_timeout_ / 10);
}

std::optional<std::string> heartbeat_note(const HeartbeatEvent& e) {
  switch (e.kind) {
    case HeartbeatEvent::Kind::Lost:
      return "heartbeats " + std::to_string(e.first_lost) + ".." + std::to_string(e.last_lost) + " lost";
    case HeartbeatEvent::Kind::Gone:
      return "client gone after " + std::to_string(e.silent_for.count()) + " ms of silence";
    case HeartbeatEvent::Kind::NewClient:
    case HeartbeatEvent::Kind::Late:
      break;
  }
  return std::nullopt;
}

}  // namespace endhost::ping
