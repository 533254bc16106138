// Serializer: when a packet that begins to leave a link direction at `start` has left it completely.
//
// - Unshaped (rate 0, no trace): at once.
// - Rate: a packet of L bytes occupies the link for exactly L·8/rate seconds. This is a token bucket whose
//   depth is one packet: no burst ever leaves faster than the rate, so the rate is exact over any interval
//   longer than a packet (tc's tbf with a larger burst is exact only on average). Nanoseconds are whole, so
//   the fraction left over is carried to the next packet of a back-to-back train: 1500 bytes at 7 Mb/s take
//   1714285.71… ns, and a thousand of them take exactly 1.714285714 s, not 1000 × 1714285 ns.
// - Trace: Mahimahi's delivery opportunities (DeliveryTrace in link_spec.hpp), anchored at the instant the
//   trace took effect (the first packet the direction sees, or set_link()'s instant), repeating with the
//   trace's period.
//
// Callers ask in time order: each start is at or after the previous finish (FIFO, one packet on the wire).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "netem/link_spec.hpp"
#include "netem/time.hpp"

namespace endhost::netem {

class Serializer {
 public:
  Serializer() = default;
  // `anchor`: where a trace's offset 0 lies; nullopt anchors it at the first start() after this call.
  void configure(std::uint64_t rate_bps, std::shared_ptr<const DeliveryTrace> trace,
                 std::optional<TimePoint> anchor);

  // The instant the last bit of a packet of `bytes` that starts at `start` has left.
  TimePoint finish(TimePoint start, std::uint32_t bytes);

 private:
  TimePoint rate_finish(TimePoint start, std::uint32_t bytes);
  TimePoint trace_finish(TimePoint start, std::uint32_t bytes);
  TimePoint op_time() const;
  void seek(TimePoint t);  // to the first opportunity at or after t, with its whole budget
  void next_op();

  std::uint64_t rate_bps_ = 0;
  // Rate mode: the last finish and the fraction of a nanosecond (in units of 1/rate_bps ns) it left over.
  TimePoint last_finish_{};
  std::uint64_t remainder_ = 0;

  // Trace mode.
  std::shared_ptr<const DeliveryTrace> trace_;
  std::optional<TimePoint> anchor_;
  bool positioned_ = false;
  std::int64_t period_index_ = 0;  // which repetition of the trace
  std::size_t op_index_ = 0;       // which entry of it
  std::uint32_t op_left_ = 0;      // bytes still unused in that opportunity
};

}  // namespace endhost::netem
