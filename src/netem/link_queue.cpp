#include "netem/link_queue.hpp"

#include <algorithm>

namespace endhost::netem {
namespace {

std::uint64_t derive(std::uint64_t& state) {
  return Prng::splitmix64(state);
}

}  // namespace

LinkQueue::LinkQueue(const LinkSpec& spec, std::uint64_t seed)
    : spec_(spec), loss_(spec.loss), loss_rng_(derive(seed)), jitter_rng_(derive(seed)) {
  serializer_.configure(spec.rate_bps, spec.trace, std::nullopt);
}

void LinkQueue::set_spec(const LinkSpec& spec, TimePoint now) {
  spec_ = spec;
  serializer_.configure(spec.rate_bps, spec.trace, now);
  loss_.set_spec(spec.loss);
}

bool LinkQueue::admit(const Packet& packet, TimePoint t) {
  start_due(t);
  ++stats_.packets_in;
  stats_.bytes_in += packet.bytes;
  const bool idle = waiting_.empty() && busy_until_ <= t;
  if (!idle && stats_.queue_bytes + packet.bytes > spec_.queue_bytes) {
    ++stats_.dropped_queue;
    stats_.dropped_queue_bytes += packet.bytes;
    return false;
  }
  waiting_.push_back({packet, t});
  ++stats_.queue_packets;
  stats_.queue_bytes += packet.bytes;
  stats_.peak_queue_bytes = std::max(stats_.peak_queue_bytes, stats_.queue_bytes);
  if (idle) start_due(t);
  return true;
}

std::optional<TimePoint> LinkQueue::next_event() const {
  std::optional<TimePoint> next;
  if (!waiting_.empty()) next = std::max(busy_until_, waiting_.front().arrival);
  if (!in_flight_.empty() && (!next || in_flight_.front().release < *next)) next = in_flight_.front().release;
  return next;
}

Duration LinkQueue::draw_propagation() {
  if (spec_.jitter.count() == 0) return spec_.delay;
  const std::int64_t j = spec_.jitter.count();
  // Uniform over the 2j + 1 whole nanoseconds of [−j, j]; j ≤ 10 s < 2⁵³ ns, so the double is exact enough.
  auto offset = static_cast<std::int64_t>(jitter_rng_.uniform01() * static_cast<double>(2 * j + 1)) - j;
  offset = std::clamp(offset, -j, j);
  return std::max(Duration(0), spec_.delay + Duration(offset));
}

void LinkQueue::start_due(TimePoint t) {
  while (!waiting_.empty()) {
    const TimePoint start = std::max(busy_until_, waiting_.front().arrival);
    if (start > t) return;
    const Waiting w = waiting_.pop_front();
    --stats_.queue_packets;
    stats_.queue_bytes -= w.packet.bytes;
    busy_until_ = serializer_.finish(start, w.packet.bytes);
    TimePoint release = busy_until_ + draw_propagation();
    if (!spec_.reorder) release = std::max(release, last_release_);
    last_release_ = std::max(last_release_, release);
    in_flight_.push_back({release, next_seq_++, w.packet});
    std::push_heap(in_flight_.begin(), in_flight_.end(), later);
    ++stats_.in_flight;
  }
}

std::optional<LinkQueue::Departure> LinkQueue::pop_due(TimePoint t) {
  start_due(t);
  if (in_flight_.empty() || in_flight_.front().release > t) return std::nullopt;
  std::pop_heap(in_flight_.begin(), in_flight_.end(), later);
  const InFlight f = in_flight_.back();
  in_flight_.pop_back();
  --stats_.in_flight;
  Departure d{f.packet, f.release, loss_.lose(loss_rng_)};
  if (d.lost) {
    ++stats_.dropped_loss;
    stats_.dropped_loss_bytes += f.packet.bytes;
  } else {
    ++stats_.delivered;
    stats_.delivered_bytes += f.packet.bytes;
  }
  return d;
}

}  // namespace endhost::netem
