#include "ping/loss_model.hpp"

namespace endhost::ping {

LossModel::Decision LossModel::decide() {
  Decision d;
  // Always draw both numbers, so the sequence of drops for a seed does not depend on the delay settings.
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  double j = std::uniform_real_distribution<double>(-1.0, 1.0)(rng_);
  d.drop = u < settings_.loss;
  auto delay =
      settings_.delay.count() + static_cast<std::int64_t>(j * static_cast<double>(settings_.jitter.count()));
  d.delay = std::chrono::microseconds(delay > 0 ? delay : 0);
  return d;
}

}  // namespace endhost::ping
