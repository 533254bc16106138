// Emulator: the lab's link emulator, sans-I/O, in the manner of Mahimahi (Netravali et al., USENIX ATC 2015).
// The lab reads each IPv4 packet a host's TUN device gives and submit()s it with the host's node and the
// instant it read it; the emulator routes it through the Topology and passes it, store-and-forward, through
// each link direction on its path (LinkQueue: drop-tail queue, serialization, delay ± jitter, loss). A packet
// enters the next link's queue the instant it is released by the previous one. release() hands over every
// packet due by an instant, for the lab to write into the destination host's TUN device; next_event() is
// when to call it next. No sockets, files or clock reads: time is handed in, and a fixed seed gives the same
// losses and jitter every run.
//
// Instants handed in never go backwards (an earlier one counts as the latest seen). Single-threaded.
// After warm-up (the largest number of packets held and each destination's route seen once), submit() and
// release() allocate nothing: buffers come from a PacketPool, queues are Rings and heaps that keep their
// capacity, and the timer structure is an indexed heap with one slot per link direction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "netem/event_heap.hpp"
#include "netem/ids.hpp"
#include "netem/link_queue.hpp"
#include "netem/packet_pool.hpp"
#include "netem/ring.hpp"
#include "netem/time.hpp"
#include "netem/topology.hpp"

namespace endhost::netem {

struct EmulatorLimits {
  // Packets held at once (queued, on the wire, or ready for release()). About 100 ms at 1 Gb/s of 1500-byte
  // packets is 8,300; past the limit a packet is refused and counted in pool_full.
  std::size_t max_packets = 65536;
};

// Whole-emulator counts (per link direction: LinkStats).
struct EmulatorCounters {
  std::uint64_t submitted = 0, submitted_bytes = 0;  // handed to submit(), well-formed or not
  std::uint64_t not_ipv4 = 0;                        // version ≠ 4: dropped
  std::uint64_t malformed = 0;                       // a bad IPv4 header: dropped
  std::uint64_t no_route = 0;                        // no node owns the destination, or none reaches it
  std::uint64_t pool_full = 0;                       // EmulatorLimits::max_packets held already
  std::uint64_t delivered = 0, delivered_bytes = 0;  // handed to release()'s callback
};

class Emulator {
 public:
  Emulator(Topology topology, std::uint64_t seed, EmulatorLimits limits = {});

  // A packet that host `from` sent at `now`. Copied; `packet` may be reused at once. Only the IPv4 header's
  // version, IHL, total length and destination are read; bytes past the total length are not part of the
  // datagram and are not kept. A packet for an address of `from` itself is ready at once.
  void submit(NodeId from, std::span<const std::uint8_t> packet, TimePoint now);

  // Calls deliver(NodeId to, std::span<const std::uint8_t> packet) for every packet due by `now`, in the
  // order they became due. The span is valid during the call only. The callback may submit(); what that
  // makes due is delivered by the next release(), so a zero-delay echo cannot loop inside one call.
  template <class F>
  void release(TimePoint now, F&& deliver) {
    advance(now);
    for (std::size_t n = ready_.size(); n > 0 && !ready_.empty(); --n) {
      const Ready r = ready_.pop_front();
      ++counters_.delivered;
      counters_.delivered_bytes += r.bytes;
      deliver(r.to, pool_.data(r.ref));
      pool_.release(r.ref);
    }
  }

  // When release() next has something to hand over or a link something to do; nullopt when nothing is held.
  // May be at or before the last instant seen (packets made due by submit() and not yet released).
  std::optional<TimePoint> next_event() const;

  // A link direction's new spec from `now` on (the experiments step rates). Packets not yet serialized take
  // the new rate; the one on the wire and those propagating keep their times. Routes are recomputed if the
  // delay changed. An invalid spec is refused and nothing changes.
  Expected<void, std::string> set_link(LinkId link, Direction direction, LinkSpec spec, TimePoint now);

  LinkStats stats(LinkId link, Direction direction) const { return queues_[slot(link, direction)].stats(); }
  const EmulatorCounters& counters() const { return counters_; }
  const Topology& topology() const { return topology_; }
  std::size_t packets_held() const { return pool_.in_use(); }

 private:
  // A packet at its destination, waiting for release() to hand it over.
  struct Ready {
    PacketRef ref;
    std::uint32_t bytes = 0;
    NodeId to;
    TimePoint at;
  };

  static std::size_t slot(LinkId link, Direction d) {
    return 2 * std::size_t{link.value()} + static_cast<std::size_t>(d);
  }
  void advance(TimePoint now);
  // `packet` has reached node `at` at `t`: ready there, or into the next link's queue.
  void forward(const Packet& packet, NodeId at, TimePoint t);

  Topology topology_;
  std::vector<LinkQueue> queues_;  // one per link direction: slot(link, direction)
  std::vector<NodeId> slot_to_;    // the node each slot leads to
  EventHeap events_;
  PacketPool pool_;
  Ring<Ready> ready_;
  TimePoint now_{};
  EmulatorCounters counters_;
};

}  // namespace endhost::netem
