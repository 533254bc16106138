// What one direction of an emulated link does to packets: its propagation delay and jitter, its rate (or a
// Mahimahi-style delivery trace), its drop-tail queue and its loss model. Plain values, checked by
// validate(); the model itself is in link_queue.hpp and docs/internals/lab-network.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::netem {

// Limits on the values a LinkSpec may take. Beyond them a value is a typo, not an experiment.
struct SpecLimits {
  static constexpr std::chrono::nanoseconds max_delay = std::chrono::seconds(60);
  static constexpr std::chrono::nanoseconds max_jitter = std::chrono::seconds(10);
  static constexpr std::uint64_t max_rate_bps = 1'000'000'000'000;  // 1 Tb/s
  static constexpr std::size_t min_queue_bytes = 1500;              // one full-size Ethernet payload
  static constexpr std::size_t max_queue_bytes = std::size_t{1} << 30;
  static constexpr std::size_t max_trace_entries = 10'000'000;
  static constexpr std::uint32_t min_trace_bytes = 64;  // per delivery opportunity
};

// Which packets the link loses. All probabilities are per packet, in [0, 1].
//
// - none: no loss.
// - bernoulli: each packet is lost independently with probability `p`.
// - gilbert_elliott: the 4-parameter Gilbert-Elliott model (E. N. Gilbert, "Capacity of a burst-noise
//   channel", BSTJ 39, 1960; E. O. Elliott, "Estimates of error rates for codes on burst-noise channels",
//   BSTJ 42, 1963), parameterised as tc-netem(8)'s `loss gemodel p r 1-h 1-k` (Salsano et al., "Definition
//   of a general and intuitive loss model for packet networks and its implementation in the Netem module in
//   the Linux kernel", 2012). A two-state Markov chain over packets, Good and Bad:
//     p          probability of moving Good → Bad after a packet,
//     r          probability of moving Bad → Good after a packet,
//     good_loss  loss probability in Good (1 − k in Elliott's notation; 0 in Gilbert's simple model),
//     bad_loss   loss probability in Bad  (1 − h; 1 in Gilbert's simple model).
//   Each packet is lost or not by the state it finds, then the chain moves (netem's order). The chain starts
//   in Good. Stationary P(Bad) = p / (p + r); mean loss = (r·good_loss + p·bad_loss) / (p + r); in the simple
//   model (good_loss 0, bad_loss 1) a loss burst lasts 1/r packets on average and a gap 1/p.
struct LossSpec {
  enum class Kind : std::uint8_t { none, bernoulli, gilbert_elliott };
  Kind kind = Kind::none;
  double p = 0.0;
  double r = 1.0;
  double good_loss = 0.0;
  double bad_loss = 1.0;

  static LossSpec bernoulli(double loss) { return {Kind::bernoulli, loss, 1.0, 0.0, 1.0}; }
  static LossSpec gilbert_elliott(double p, double r, double good_loss = 0.0, double bad_loss = 1.0) {
    return {Kind::gilbert_elliott, p, r, good_loss, bad_loss};
  }
  // The long-run fraction of packets lost, from the formulas above.
  double mean_loss() const;

  friend bool operator==(const LossSpec&, const LossSpec&) = default;
};

// A packet-delivery trace as Mahimahi's LinkShell reads it (Netravali et al., "Mahimahi: Accurate
// Record-and-Replay for HTTP", USENIX ATC 2015): each entry is a millisecond offset at which the link may
// deliver `bytes_per_opportunity` bytes; entries may repeat (two deliveries in the same millisecond) and must
// not decrease. The trace repeats with a period of its last entry. A packet takes the bytes of as many
// opportunities as it needs (a byte budget left over after a packet goes to the next one; an opportunity
// that finds the queue empty is wasted), and leaves at the opportunity that completes it. Mahimahi counts
// 1504 bytes per opportunity (a TUN MTU of 1500 plus the 4-byte packet-information header); the emulator sees
// bare IPv4 packets, so 1500 is the same budget.
struct DeliveryTrace {
  std::vector<std::chrono::milliseconds> opportunities;
  std::uint32_t bytes_per_opportunity = 1500;

  std::chrono::milliseconds period() const {
    return opportunities.empty() ? std::chrono::milliseconds(0) : opportunities.back();
  }
  // The rate the trace gives on average, in bits per second.
  double mean_rate_bps() const;
  Expected<void, std::string> validate() const;
};

// A Mahimahi trace file's text: one decimal millisecond offset per line; blank lines ignored. Sans-I/O: the
// caller reads the file. Errors name the line.
Expected<DeliveryTrace, std::string> parse_mahimahi_trace(std::string_view text);

// One direction of a link. Applied in this order (docs/internals/lab-network.md says why): drop-tail queue,
// serialization at `rate_bps` or by `trace`, propagation `delay` ± `jitter`, then `loss`.
struct LinkSpec {
  // 100 full-size packets: about 80 ms of queue at 15 Mb/s, 12 ms at 100 Mb/s.
  static constexpr std::size_t default_queue_bytes = 100 * 1500;

  std::chrono::nanoseconds delay{};  // one-way propagation delay
  std::chrono::nanoseconds
      jitter{};  // each packet's delay is uniform in [delay − jitter, delay + jitter], ≥ 0
  // With jitter, a packet is never released before the one ahead of it on this direction (its release time
  // is clamped up to the previous one), so jitter does not reorder, unless `reorder` is set.
  bool reorder = false;
  std::uint64_t rate_bps = 0;  // 0: unshaped (serialization takes no time) unless `trace` is set
  std::size_t queue_bytes = default_queue_bytes;  // drop-tail limit on bytes waiting to be serialized
  LossSpec loss;
  std::shared_ptr<const DeliveryTrace> trace;  // instead of rate_bps: Mahimahi-style delivery opportunities

  // Errors are one sentence naming the field: "jitter 20 s is above the limit of 10 s".
  Expected<void, std::string> validate() const;
};

}  // namespace endhost::netem
