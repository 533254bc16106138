#include "netem/loss_model.hpp"

namespace endhost::netem {

void LossModel::set_spec(const LossSpec& spec) {
  if (spec == spec_) return;
  spec_ = spec;
  bad_ = false;
}

bool LossModel::lose(Prng& rng) {
  switch (spec_.kind) {
    case LossSpec::Kind::none:
      return false;
    case LossSpec::Kind::bernoulli:
      return spec_.p > 0.0 && rng.uniform01() < spec_.p;
    case LossSpec::Kind::gilbert_elliott: {
      // The packet meets the current state's loss probability, then the chain moves (tc-netem's gemodel
      // order: loss_gilb_ell() in net/sched/sch_netem.c). uniform01() < 1 always, so a probability of 1 is
      // certain and 0 never happens.
      const bool lost = rng.uniform01() < (bad_ ? spec_.bad_loss : spec_.good_loss);
      const double leave = bad_ ? spec_.r : spec_.p;
      if (rng.uniform01() < leave) bad_ = !bad_;
      return lost;
    }
  }
  return false;
}

}  // namespace endhost::netem
