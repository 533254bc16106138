#include "ping/rtt_stats.hpp"

#include <gtest/gtest.h>

namespace endhost::ping {
namespace {

TEST(RttStats, MatchesPing8) {
  RttStats s;
  for (double v : {1.0, 2.0, 3.0, 4.0}) s.add(v);
  EXPECT_DOUBLE_EQ(s.min(), 1.0);
  EXPECT_DOUBLE_EQ(s.max(), 4.0);
  EXPECT_DOUBLE_EQ(s.avg(), 2.5);
  EXPECT_NEAR(s.mdev(), 1.118034, 1e-6);  // population standard deviation, as iputils computes it
}

TEST(RttStats, SummaryLikePing8) {
  RttStats s;
  for (double v : {0.1, 0.2, 0.3, 0.2, 0.2, 0.1, 0.3}) s.add(v);
  EXPECT_EQ(format_summary(10, s, 9012),
            "10 packets transmitted, 7 received, 30% packet loss, time 9012ms\n"
            "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.076 ms\n");
}

TEST(RttStats, SummaryWithNothingReceivedHasNoRttLine) {
  RttStats s;
  EXPECT_EQ(format_summary(3, s, 3000), "3 packets transmitted, 0 received, 100% packet loss, time 3000ms\n");
}

TEST(RttStats, FractionalLossPrintedLikePrintfG) {
  RttStats s;
  s.add(1);
  EXPECT_NE(format_summary(3, s, 1).find("66.6667% packet loss"), std::string::npos);
}

}  // namespace
}  // namespace endhost::ping
