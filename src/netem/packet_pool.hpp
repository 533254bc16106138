// PacketPool: the buffers packets wait in while the emulator holds them. submit() copies a packet in (the
// caller's TUN read buffer is reused at once); the buffer comes back when the packet is delivered or dropped.
// Slots are reused, and a slot keeps its capacity, so after warm-up (the largest number of packets in flight
// has been reached once) acquiring and releasing allocate nothing. The number of slots has a hard maximum:
// beyond it a packet is refused, which the emulator counts (an overload, never unbounded growth).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace endhost::netem {

// A slot of the pool. Valid from acquire() to release().
struct PacketRef {
  std::uint32_t index = 0;
  friend bool operator==(PacketRef, PacketRef) = default;
};

class PacketPool {
 public:
  // Room reserved in a new slot: a full-size Ethernet-MTU packet fits without growing it later.
  static constexpr std::size_t initial_slot_capacity = 2048;

  explicit PacketPool(std::size_t max_packets) : max_packets_(max_packets) {}

  // A copy of `bytes` in a free slot, or nullopt when `max_packets` are held already.
  std::optional<PacketRef> acquire(std::span<const std::uint8_t> bytes);
  void release(PacketRef ref);

  std::span<const std::uint8_t> data(PacketRef ref) const { return slots_[ref.index]; }
  std::size_t in_use() const { return slots_.size() - free_.size(); }
  std::size_t max_packets() const { return max_packets_; }

 private:
  std::size_t max_packets_;
  // Moving a std::vector keeps its heap buffer, so a span handed out stays valid while slots_ grows.
  std::vector<std::vector<std::uint8_t>> slots_;
  std::vector<std::uint32_t> free_;
};

}  // namespace endhost::netem
