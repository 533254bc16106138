#include "netem/emulator.hpp"

#include "netem/ipv4_header.hpp"
#include "netem/prng.hpp"

namespace endhost::netem {

Emulator::Emulator(Topology topology, std::uint64_t seed, EmulatorLimits limits)
    : topology_(std::move(topology)), events_(2 * topology_.link_count()), pool_(limits.max_packets) {
  // Each direction draws from its own streams, derived from the seed in link order, so one link's traffic
  // does not change another's losses.
  std::uint64_t state = seed;
  queues_.reserve(2 * topology_.link_count());
  slot_to_.reserve(2 * topology_.link_count());
  for (std::uint32_t i = 0; i < topology_.link_count(); ++i) {
    const Link& l = topology_.link(LinkId(i));
    for (const Direction d : {Direction::a_to_b, Direction::b_to_a}) {
      queues_.emplace_back(l.spec(d), Prng::splitmix64(state));
      slot_to_.push_back(l.to(d));
    }
  }
}

void Emulator::submit(NodeId from, std::span<const std::uint8_t> packet, TimePoint now) {
  advance(now);
  ++counters_.submitted;
  counters_.submitted_bytes += packet.size();
  const auto header = parse_ipv4_header(packet);
  if (!header) {
    ++(header.error() == HeaderError::not_ipv4 ? counters_.not_ipv4 : counters_.malformed);
    return;
  }
  const auto to = topology_.owner(header->destination);
  if (!to || from.value() >= topology_.node_count() || (*to != from && !topology_.next_hop(from, *to))) {
    ++counters_.no_route;
    return;
  }
  const auto ref = pool_.acquire(packet.first(header->total_length));
  if (!ref) {
    ++counters_.pool_full;
    return;
  }
  forward(Packet{*ref, header->total_length, *to}, from, now_);
}

void Emulator::forward(const Packet& packet, NodeId at, TimePoint t) {
  const NodeId destination = packet.destination;
  if (at == destination) {
    ready_.push_back({packet.ref, packet.bytes, at, t});
    return;
  }
  const auto hop = topology_.next_hop(at, destination);
  if (!hop) {  // the route went away while the packet was on its way
    ++counters_.no_route;
    pool_.release(packet.ref);
    return;
  }
  const std::size_t s = slot(hop->link, hop->direction);
  if (!queues_[s].admit(packet, t)) pool_.release(packet.ref);
  events_.set(s, queues_[s].next_event());
}

void Emulator::advance(TimePoint now) {
  if (now > now_) now_ = now;
  // Events in time order across every direction: when the earliest is at t, nothing anywhere is due before
  // t, so a packet handed to the next link at t finds that link exactly as it is at t.
  while (const auto top = events_.top()) {
    const auto [t, s] = *top;
    if (t > now_) break;
    while (const auto d = queues_[s].pop_due(t)) {
      if (d->lost) {
        pool_.release(d->packet.ref);
        continue;
      }
      forward(d->packet, slot_to_[s], d->at);
    }
    events_.set(s, queues_[s].next_event());
  }
}

std::optional<TimePoint> Emulator::next_event() const {
  if (!ready_.empty()) return ready_.front().at;
  if (const auto top = events_.top()) return top->first;
  return std::nullopt;
}

Expected<void, std::string> Emulator::set_link(LinkId link, Direction direction, LinkSpec spec,
                                               TimePoint now) {
  if (link.value() >= topology_.link_count()) return Unexpected<std::string>("no such link");
  if (auto ok = spec.validate(); !ok) return ok;
  // What was due before `now` happens under the old spec.
  advance(now);
  const std::size_t s = slot(link, direction);
  queues_[s].set_spec(spec, now_);
  if (auto ok = topology_.set_spec(link, direction, std::move(spec)); !ok) return ok;
  events_.set(s, queues_[s].next_event());
  return {};
}

}  // namespace endhost::netem
