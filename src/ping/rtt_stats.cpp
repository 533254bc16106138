#include "ping/rtt_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace endhost::ping {

void RttStats::add(double rtt_ms) {
  if (n_ == 0) {
    min_ = max_ = rtt_ms;
  } else {
    min_ = std::min(min_, rtt_ms);
    max_ = std::max(max_, rtt_ms);
  }
  ++n_;
  sum_ += rtt_ms;
  sum_sq_ += rtt_ms * rtt_ms;
}

double RttStats::avg() const {
  return n_ == 0 ? 0 : sum_ / static_cast<double>(n_);
}

double RttStats::mdev() const {
  if (n_ == 0) return 0;
  double mean = avg();
  double var = sum_sq_ / static_cast<double>(n_) - mean * mean;
  return var > 0 ? std::sqrt(var) : 0;  // rounding can make a zero variance slightly negative
}

std::string format_summary(std::size_t transmitted, const RttStats& stats, std::int64_t elapsed_ms) {
  double loss = transmitted == 0 ? 0
                                 : 100.0 * static_cast<double>(transmitted - stats.count()) /
                                       static_cast<double>(transmitted);
  std::string out = fmt::format("{} packets transmitted, {} received, {:g}% packet loss, time {}ms\n",
                                transmitted, stats.count(), loss, elapsed_ms);
  if (stats.count() > 0) {
    out += fmt::format("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms\n", stats.min(), stats.avg(),
                       stats.max(), stats.mdev());
  }
  return out;
}

}  // namespace endhost::ping
