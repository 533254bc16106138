#include "netem/serializer.hpp"

#include <algorithm>
#include <cassert>

namespace endhost::netem {

void Serializer::configure(std::uint64_t rate_bps, std::shared_ptr<const DeliveryTrace> trace,
                           std::optional<TimePoint> anchor) {
  rate_bps_ = rate_bps;
  remainder_ = 0;
  if (trace != trace_) {
    trace_ = std::move(trace);
    anchor_ = anchor;
    positioned_ = false;
  }
}

TimePoint Serializer::finish(TimePoint start, std::uint32_t bytes) {
  if (trace_) return trace_finish(start, bytes);
  if (rate_bps_ == 0) return start;
  return rate_finish(start, bytes);
}

TimePoint Serializer::rate_finish(TimePoint start, std::uint32_t bytes) {
  // A link that went idle starts afresh: the carried fraction belongs to the train that ended.
  if (start != last_finish_) remainder_ = 0;
  // bytes ≤ 65535, so bits·10⁹ < 5.3·10¹⁴ and the sum stays far from 2⁶⁴ for any rate up to 1 Tb/s.
  const std::uint64_t numerator = std::uint64_t{bytes} * 8 * 1'000'000'000 + remainder_;
  const auto ns = static_cast<std::int64_t>(numerator / rate_bps_);
  remainder_ = numerator % rate_bps_;
  last_finish_ = start + Duration(ns);
  return last_finish_;
}

TimePoint Serializer::op_time() const {
  const Duration period = trace_->period();
  return *anchor_ + period * period_index_ + Duration(trace_->opportunities[op_index_]);
}

void Serializer::seek(TimePoint t) {
  const Duration period = trace_->period();
  const Duration since = std::max(Duration(0), t - *anchor_);
  period_index_ = since / period;
  Duration within = since - period * period_index_;
  // The last opportunity of a period lies at the period itself, so at a period boundary it is the one due.
  if (within == Duration(0) && period_index_ > 0) {
    --period_index_;
    within = period;
  }
  const auto& ops = trace_->opportunities;
  const auto it = std::lower_bound(ops.begin(), ops.end(), within,
                                   [](std::chrono::milliseconds op, Duration d) { return op < d; });
  op_index_ = static_cast<std::size_t>(it - ops.begin());
  if (op_index_ == ops.size()) {
    op_index_ = 0;
    ++period_index_;
  }
  op_left_ = trace_->bytes_per_opportunity;
  positioned_ = true;
}

void Serializer::next_op() {
  if (++op_index_ == trace_->opportunities.size()) {
    op_index_ = 0;
    ++period_index_;
  }
  op_left_ = trace_->bytes_per_opportunity;
}

TimePoint Serializer::trace_finish(TimePoint start, std::uint32_t bytes) {
  if (!anchor_) anchor_ = start;
  if (!positioned_) {
    seek(start);
  } else {
    if (op_left_ == 0) next_op();
    // Opportunities that passed while the queue was empty are wasted, as in Mahimahi's LinkQueue.
    if (op_time() < start) seek(start);
  }
  std::uint32_t need = bytes;
  for (;;) {
    const std::uint32_t use = std::min(need, op_left_);
    need -= use;
    op_left_ -= use;
    if (need == 0) return op_time();
    next_op();
  }
}

}  // namespace endhost::netem
