#include "netem/loss_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace endhost::netem {
namespace {

struct Sample {
  double loss = 0;   // fraction lost
  double burst = 0;  // mean length of a run of consecutive losses
  double gap = 0;    // mean length of a run of consecutive deliveries
};

Sample run(LossSpec spec, std::uint64_t seed, int n) {
  LossModel m(spec);
  Prng rng(seed);
  int lost = 0, bursts = 0, gaps = 0;
  bool prev = false;
  for (int i = 0; i < n; ++i) {
    const bool l = m.lose(rng);
    lost += l;
    if (i == 0 || l != prev) ++(l ? bursts : gaps);
    prev = l;
  }
  return {static_cast<double>(lost) / n, bursts ? static_cast<double>(lost) / bursts : 0.0,
          gaps ? static_cast<double>(n - lost) / gaps : 0.0};
}

TEST(LossModel, BernoulliWithinOnePercentagePointOver100kPackets) {
  for (const double p : {0.01, 0.05, 0.2}) {
    const Sample r = run(LossSpec::bernoulli(p), 42, 100'000);
    EXPECT_NEAR(r.loss, p, 0.01) << "p=" << p;
    // Far tighter in fact: three standard deviations of a binomial over 100,000.
    EXPECT_NEAR(r.loss, p, 3 * std::sqrt(p * (1 - p) / 100'000)) << "p=" << p;
  }
}

TEST(LossModel, ZeroAndOneAreExact) {
  EXPECT_EQ(run(LossSpec::bernoulli(0.0), 1, 10'000).loss, 0.0);
  EXPECT_EQ(run(LossSpec::bernoulli(1.0), 1, 10'000).loss, 1.0);
  EXPECT_EQ(run(LossSpec{}, 1, 10'000).loss, 0.0);
  // Gilbert-Elliott with p = 0 never leaves Good.
  EXPECT_EQ(run(LossSpec::gilbert_elliott(0.0, 0.5), 1, 10'000).loss, 0.0);
}

TEST(LossModel, SimpleGilbertMatchesMeanLossAndBurstLength) {
  // p = 0.01, r = 0.25: P(loss) = p/(p+r) = 0.03846, bursts of 1/r = 4 packets, gaps of 1/p = 100.
  const LossSpec spec = LossSpec::gilbert_elliott(0.01, 0.25);
  const Sample r = run(spec, 7, 1'000'000);
  EXPECT_NEAR(r.loss, spec.mean_loss(), 0.003);
  EXPECT_NEAR(r.burst, 4.0, 0.15);
  EXPECT_NEAR(r.gap, 100.0, 4.0);
  // Bursty, unlike Bernoulli at the same mean, whose bursts average 1/(1−0.038) ≈ 1.04 packets.
  EXPECT_LT(run(LossSpec::bernoulli(spec.mean_loss()), 7, 1'000'000).burst, 1.1);
}

TEST(LossModel, FourParameterGilbertElliottMatchesMeanLoss) {
  const LossSpec spec = LossSpec::gilbert_elliott(0.02, 0.2, 0.01, 0.5);
  EXPECT_NEAR(run(spec, 11, 1'000'000).loss, spec.mean_loss(), 0.003);
}

TEST(LossModel, SameSeedSameLossesOtherSeedOthers) {
  LossModel a(LossSpec::bernoulli(0.3)), b(LossSpec::bernoulli(0.3)), c(LossSpec::bernoulli(0.3));
  Prng ra(5), rb(5), rc(6);
  int same = 0, differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const bool x = a.lose(ra);
    same += x == b.lose(rb);
    differ += x != c.lose(rc);
  }
  EXPECT_EQ(same, 1000);
  EXPECT_GT(differ, 200);
}

TEST(LossModel, ANewSpecRestartsTheChainInGood) {
  LossModel m(LossSpec::gilbert_elliott(1.0, 0.0));  // into Bad after the first packet, for ever
  Prng rng(1);
  EXPECT_FALSE(m.lose(rng));  // the first packet finds Good
  EXPECT_TRUE(m.in_bad_state());
  EXPECT_TRUE(m.lose(rng));
  m.set_spec(LossSpec::gilbert_elliott(1.0, 0.0, 0.0, 0.9));
  EXPECT_FALSE(m.in_bad_state());
  // The same spec again keeps the state.
  m.lose(rng);
  m.set_spec(LossSpec::gilbert_elliott(1.0, 0.0, 0.0, 0.9));
  EXPECT_TRUE(m.in_bad_state());
}

}  // namespace
}  // namespace endhost::netem
