// Round-trip statistics as ping(8) reports them: min/avg/max and mdev, the standard deviation
// sqrt(E[x²] − E[x]²) over the replies received.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace endhost::ping {

class RttStats {
 public:
  void add(double rtt_ms);
  std::size_t count() const { return n_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double avg() const;
  double mdev() const;

 private:
  std::size_t n_ = 0;
  double sum_ = 0, sum_sq_ = 0, min_ = 0, max_ = 0;
};

// The closing lines of ping(8):
//   10 packets transmitted, 7 received, 30% packet loss, time 9012ms
//   rtt min/avg/max/mdev = 0.105/0.213/0.402/0.081 ms        (only when something was received)
std::string format_summary(std::size_t transmitted, const RttStats& stats, std::int64_t elapsed_ms);

}  // namespace endhost::ping
