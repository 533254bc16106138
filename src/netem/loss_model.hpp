// LossModel: decides, packet by packet, whether one link direction loses a packet, by its LossSpec
// (Bernoulli or Gilbert-Elliott, link_spec.hpp). Random numbers come from the Prng handed in, which the
// link direction owns, so the same seed gives the same losses every run and no state is global.
#pragma once

#include "netem/link_spec.hpp"
#include "netem/prng.hpp"

namespace endhost::netem {

class LossModel {
 public:
  explicit LossModel(LossSpec spec = {}) : spec_(spec) {}

  // A new spec; the Gilbert-Elliott chain restarts in Good when the spec changed.
  void set_spec(const LossSpec& spec);
  const LossSpec& spec() const { return spec_; }

  // Whether the next packet is lost. Draws nothing when the spec cannot lose (none, or p = 0).
  bool lose(Prng& rng);

  bool in_bad_state() const { return bad_; }

 private:
  LossSpec spec_;
  bool bad_ = false;
};

}  // namespace endhost::netem
