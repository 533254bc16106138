// Simulated network conditions for the ping server: drop a fraction of requests and delay the rest, as the
// lab's UDPPingerServer does with random.randint. Seeded, so a test with a fixed seed sees the same losses.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace endhost::ping {

struct LossSettings {
  double loss = 0.0;                    // probability in [0, 1] of dropping a request
  std::chrono::microseconds delay{0};   // added before each reply
  std::chrono::microseconds jitter{0};  // the delay varies uniformly by ± this much (never below zero)
};

class LossModel {
 public:
  LossModel(LossSettings settings, std::uint64_t seed) : settings_(settings), rng_(seed) {}

  struct Decision {
    bool drop = false;
    std::chrono::microseconds delay{0};
  };
  Decision decide();

 private:
  LossSettings settings_;
  std::mt19937_64 rng_;
};

}  // namespace endhost::ping
