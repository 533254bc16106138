// LinkQueue: one direction of an emulated link, as a pipeline of four stages in this order:
//
//   1. drop-tail queue: a packet that arrives while the link is busy waits; if the bytes already waiting plus
//      its own exceed spec.queue_bytes it is dropped (counted as dropped_queue). The packet being serialized
//      has left the queue, as a frame handed to a NIC has left the qdisc.
//   2. serialization (Serializer): one packet at a time, FIFO, at the rate or by the delivery trace.
//   3. propagation: released delay ± jitter after its last bit left. Unless spec.reorder, a release is never
//      earlier than the previous packet's, so jitter does not reorder; every packet's extra time still lies
//      within [delay − jitter, delay + jitter], because the packet ahead finished earlier and was itself
//      within that bound.
//   4. loss: decided as the packet is released (LossModel), so a lost packet has used its share of the
//      link, as a corrupted frame does.
//
// Sans-I/O and event-driven: the emulator hands in instants in order; next_event() says when this direction
// next has something to do. Changing the spec (set_spec) affects packets not yet serialized; the packet on
// the wire and those propagating keep the times they were given.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "netem/ids.hpp"
#include "netem/link_spec.hpp"
#include "netem/loss_model.hpp"
#include "netem/packet_pool.hpp"
#include "netem/prng.hpp"
#include "netem/ring.hpp"
#include "netem/serializer.hpp"
#include "netem/time.hpp"

namespace endhost::netem {

// A packet held by the emulator: its buffer, its length, and the node it is for (the emulator routes by it;
// the link does not look at it).
struct Packet {
  PacketRef ref;
  std::uint32_t bytes = 0;
  NodeId destination;
};

// What one direction did, since it was created. Counts of packets unless named _bytes.
struct LinkStats {
  std::uint64_t packets_in = 0, bytes_in = 0;  // offered to the queue
  std::uint64_t dropped_queue = 0, dropped_queue_bytes = 0;
  std::uint64_t dropped_loss = 0, dropped_loss_bytes = 0;
  std::uint64_t delivered = 0, delivered_bytes = 0;  // left the far end alive
  std::uint64_t queue_packets = 0, queue_bytes = 0;  // waiting now
  std::uint64_t peak_queue_bytes = 0;
  std::uint64_t in_flight = 0;  // being serialized or propagating now
};

class LinkQueue {
 public:
  // `seed` gives this direction its own loss and jitter streams.
  LinkQueue(const LinkSpec& spec, std::uint64_t seed);

  // From `now` on. A trace that is new or different restarts at `now`.
  void set_spec(const LinkSpec& spec, TimePoint now);
  const LinkSpec& spec() const { return spec_; }

  // A packet reaches the link at `t`. Instants never go backwards. False: dropped by the queue (counted);
  // the caller still owns the buffer.
  bool admit(const Packet& packet, TimePoint t);

  // When this direction next starts serializing or releases a packet; nullopt when it holds nothing.
  std::optional<TimePoint> next_event() const;

  struct Departure {
    Packet packet;
    TimePoint at;
    bool lost = false;  // counted already; the caller frees the buffer
  };
  // The next packet released at or before `t`, after starting every serialization due by `t`.
  std::optional<Departure> pop_due(TimePoint t);

  const LinkStats& stats() const { return stats_; }

 private:
  // A packet in the drop-tail queue, and when it came.
  struct Waiting {
    Packet packet;
    TimePoint arrival;
  };
  // A packet being serialized or propagating, and when it will be released.
  struct InFlight {
    TimePoint release;
    std::uint64_t seq = 0;  // FIFO among equal release times
    Packet packet;
  };
  static bool later(const InFlight& x, const InFlight& y) {
    return x.release != y.release ? x.release > y.release : x.seq > y.seq;
  }

  void start_due(TimePoint t);
  Duration draw_propagation();

  LinkSpec spec_;
  Serializer serializer_;
  LossModel loss_;
  Prng loss_rng_;
  Prng jitter_rng_;

  Ring<Waiting> waiting_;
  std::vector<InFlight> in_flight_;  // a min-heap on (release, seq)
  TimePoint busy_until_{};           // the instant the packet on the wire has left
  TimePoint last_release_{};
  std::uint64_t next_seq_ = 0;
  LinkStats stats_;
};

}  // namespace endhost::netem
