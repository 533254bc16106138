#include "netem/link_spec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;

TEST(LinkSpec, DefaultIsValidAndUnshaped) {
  LinkSpec s;
  EXPECT_TRUE(s.validate());
  EXPECT_EQ(s.rate_bps, 0u);
  EXPECT_EQ(s.queue_bytes, 150'000u);
}

TEST(LinkSpec, RefusesOutOfRangeValuesNamingTheField) {
  LinkSpec s;
  s.delay = -1ms;
  EXPECT_NE(s.validate().error().find("delay"), std::string::npos);
  s = {};
  s.delay = 61s;
  EXPECT_EQ(s.validate().error(), "delay 61 s is above the limit of 60 s");
  s = {};
  s.jitter = 20s;
  EXPECT_EQ(s.validate().error(), "jitter 20 s is above the limit of 10 s");
  s = {};
  s.queue_bytes = 1499;
  EXPECT_NE(s.validate().error().find("queue size 1499"), std::string::npos);
  s = {};
  s.loss = LossSpec::bernoulli(1.5);
  EXPECT_NE(s.validate().error().find("probability"), std::string::npos);
  s.loss = LossSpec::bernoulli(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(s.validate());
  s.loss = LossSpec::gilbert_elliott(0.1, -0.1);
  EXPECT_NE(s.validate().error().find("r (bad to good)"), std::string::npos);
  s.loss = LossSpec::gilbert_elliott(0.1, 0.5, 0.0, 2.0);
  EXPECT_NE(s.validate().error().find("bad state"), std::string::npos);
}

TEST(LinkSpec, RateAndTraceAreExclusive) {
  LinkSpec s;
  s.rate_bps = 1'000'000;
  s.trace = std::make_shared<DeliveryTrace>(DeliveryTrace{{1ms}, 1500});
  EXPECT_EQ(s.validate().error(), "a link has either a rate or a delivery trace, not both");
  s.rate_bps = 0;
  EXPECT_TRUE(s.validate());
}

TEST(LossSpec, MeanLossFollowsTheStationaryDistribution) {
  EXPECT_DOUBLE_EQ(LossSpec{}.mean_loss(), 0.0);
  EXPECT_DOUBLE_EQ(LossSpec::bernoulli(0.01).mean_loss(), 0.01);
  // Simple Gilbert: P(Bad) = p / (p + r).
  EXPECT_DOUBLE_EQ(LossSpec::gilbert_elliott(0.01, 0.24).mean_loss(), 0.04);
  // 4 parameters: (r·(1−k) + p·(1−h)) / (p + r) = (0.2·0.01 + 0.02·0.5) / 0.22.
  EXPECT_NEAR(LossSpec::gilbert_elliott(0.02, 0.2, 0.01, 0.5).mean_loss(), 0.012 / 0.22, 1e-15);
  EXPECT_DOUBLE_EQ(LossSpec::gilbert_elliott(0.0, 0.0, 0.03, 1.0).mean_loss(), 0.03);
}

TEST(DeliveryTrace, ParsesMahimahiText) {
  auto t = parse_mahimahi_trace("1\n1\r\n\n  3\n4");
  ASSERT_TRUE(t) << t.error();
  ASSERT_EQ(t->opportunities.size(), 4u);
  EXPECT_EQ(t->opportunities[0], 1ms);
  EXPECT_EQ(t->opportunities[2], 3ms);
  EXPECT_EQ(t->period(), 4ms);
  // 4 opportunities of 1500 bytes every 4 ms: 12 Mb/s.
  EXPECT_DOUBLE_EQ(t->mean_rate_bps(), 12'000'000.0);
}

TEST(DeliveryTrace, RefusesBadTraces) {
  EXPECT_EQ(parse_mahimahi_trace("1\n2\nx3\n").error(), "trace line 3: 'x3' is not a millisecond offset");
  EXPECT_EQ(parse_mahimahi_trace("").error(), "the delivery trace is empty");
  EXPECT_NE(parse_mahimahi_trace("5\n4\n").error().find("decreases at entry 2"), std::string::npos);
  EXPECT_NE(parse_mahimahi_trace("0\n0\n").error().find("above 0 ms"), std::string::npos);
  EXPECT_FALSE(parse_mahimahi_trace("-1\n3\n"));
  DeliveryTrace tiny{{1ms}, 10};
  EXPECT_FALSE(tiny.validate());
}

}  // namespace
}  // namespace endhost::netem
