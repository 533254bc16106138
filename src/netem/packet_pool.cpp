#include "netem/packet_pool.hpp"

#include <cassert>

namespace endhost::netem {

std::optional<PacketRef> PacketPool::acquire(std::span<const std::uint8_t> bytes) {
  std::uint32_t index = 0;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= max_packets_) return std::nullopt;
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back().reserve(initial_slot_capacity);
    // The free list can hold every slot, so release() never allocates.
    free_.reserve(slots_.capacity());
  }
  slots_[index].assign(bytes.begin(), bytes.end());
  return PacketRef{index};
}

void PacketPool::release(PacketRef ref) {
  assert(ref.index < slots_.size());
  free_.push_back(ref.index);
}

}  // namespace endhost::netem
