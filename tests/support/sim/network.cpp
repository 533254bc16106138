#include "sim/network.hpp"

#include <algorithm>

namespace endhost::sim {

const char* to_string(Drop d) {
  switch (d) {
    case Drop::none:
      return "none";
    case Drop::lost:
      return "lost";
    case Drop::partitioned:
      return "partitioned";
    case Drop::down:
      return "down";
    case Drop::unreachable:
      return "unreachable";
    case Drop::discarded:
      return "discarded";
  }
  return "?";
}

std::string describe(const TraceEvent& e, Instant origin) {
  std::string out = "+" + std::to_string((e.at - origin).count()) + "ms ";
  switch (e.kind) {
    case TraceEvent::Kind::sent:
      out += "sent";
      break;
    case TraceEvent::Kind::delivered:
      out += "delivered";
      break;
    case TraceEvent::Kind::dropped:
      out += std::string("dropped(") + to_string(e.drop) + ")";
      break;
  }
  out += " " + e.message.from + " -> " + e.message.to;
  out += e.message.channel == Channel::stream ? " stream " : " datagram ";
  out += std::to_string(e.message.bytes.size()) + "B #" + std::to_string(e.message.seq);
  return out;
}

void Network::attach(const Address& address, Receiver receiver) {
  nodes_[address] = std::move(receiver);
}

void Network::detach(const Address& address) {
  nodes_.erase(address);
}

void Network::set_link_both(const Address& a, const Address& b, const LinkProfile& p) {
  set_link(a, b, p);
  set_link(b, a, p);
}

const LinkProfile& Network::link(const Address& from, const Address& to) const {
  auto it = links_.find({from, to});
  return it == links_.end() ? default_link_ : it->second;
}

void Network::cut(const Address& a, const Address& b) {
  cuts_.insert(std::minmax(a, b));
}

void Network::heal(const Address& a, const Address& b) {
  cuts_.erase(Pair(std::minmax(a, b)));
}

void Network::partition(const std::vector<Address>& side_a, const std::vector<Address>& side_b) {
  for (const auto& a : side_a)
    for (const auto& b : side_b) cut(a, b);
}

void Network::set_down(const Address& address, bool down) {
  if (down)
    down_.insert(address);
  else
    down_.erase(address);
}

bool Network::is_cut(const Address& a, const Address& b) const {
  return cuts_.count(Pair(std::minmax(a, b))) != 0;
}

void Network::send(const Address& from, const Address& to, std::span<const std::uint8_t> bytes,
                   Channel channel, Millis extra) {
  Message m{from,         to,         channel, std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
            clock_.now(), next_seq_++};
  ++counters_.sent;
  emit(TraceEvent::Kind::sent, m, Drop::none);
  Drop drop = Drop::none;
  if (is_down(from) || is_down(to))
    drop = Drop::down;
  else if (is_cut(from, to))
    drop = Drop::partitioned;
  const LinkProfile& p = link(from, to);
  // Draws happen only on links that ask for them (loss, then jitter), so a run without either draws nothing.
  if (drop == Drop::none && channel == Channel::datagram && p.loss_ppm > 0 &&
      random_.below(1'000'000) < p.loss_ppm)
    drop = Drop::lost;
  if (drop != Drop::none) {
    ++counters_.dropped;
    emit(TraceEvent::Kind::dropped, m, drop);
    return;
  }
  Millis delay = p.latency + extra;
  if (p.jitter > Millis(0)) delay += Millis(random_.below(static_cast<std::uint32_t>(p.jitter.count()) + 1));
  Instant when = clock_.now() + delay;
  if (channel == Channel::stream) {
    // In order behind what this stream already has on the wire (equal times keep the sending order).
    Instant& tail = stream_tail_[{from, to}];
    if (when < tail) when = tail;
    tail = when;
  }
  const std::uint64_t seq = m.seq;
  const VirtualClock::TimerId timer = clock_.at(when, [this, seq] { deliver(seq); });
  in_flight_.emplace(seq, InFlight{std::move(m), timer});
}

void Network::deliver(std::uint64_t seq) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  Message m = std::move(it->second.message);
  in_flight_.erase(it);
  Drop drop = Drop::none;
  if (is_down(m.from) || is_down(m.to))
    drop = Drop::down;
  else if (is_cut(m.from, m.to))
    drop = Drop::partitioned;
  auto node = nodes_.find(m.to);
  if (drop == Drop::none && node == nodes_.end()) drop = Drop::unreachable;
  if (drop != Drop::none) {
    ++counters_.dropped;
    emit(TraceEvent::Kind::dropped, m, drop);
    return;
  }
  ++counters_.delivered;
  emit(TraceEvent::Kind::delivered, m, Drop::none);
  // A copy of the receiver: it may detach or replace itself while it runs.
  Receiver receiver = node->second;
  receiver(m);
}

std::size_t Network::discard_in_flight_to(const Address& address) {
  std::size_t n = 0;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.message.to != address) {
      ++it;
      continue;
    }
    clock_.cancel(it->second.timer);
    ++counters_.dropped;
    emit(TraceEvent::Kind::dropped, it->second.message, Drop::discarded);
    it = in_flight_.erase(it);
    ++n;
  }
  // The streams into `address` are gone with what they carried: a new one starts with an empty wire.
  for (auto it = stream_tail_.begin(); it != stream_tail_.end();)
    it = it->first.second == address ? stream_tail_.erase(it) : std::next(it);
  return n;
}

void Network::record_trace(std::vector<std::string>& lines) {
  const Instant origin = clock_.now();
  observe([&lines, origin](const TraceEvent& e) { lines.push_back(describe(e, origin)); });
}

void Network::emit(TraceEvent::Kind kind, const Message& m, Drop drop) {
  const TraceEvent e{kind, clock_.now(), m, drop};
  for (const auto& o : observers_) o(e);
}

}  // namespace endhost::sim
