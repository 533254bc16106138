// The textbook's models the experiments compare with: §2.2.2's page-load formulas, §2.2.5's traffic
// intensity and access delay (the book's own numbers: 15 requests/s of 1 Mbit over 15 Mb/s is intensity 1.0,
// 0.6 with a hit rate of 0.4), DNS lookups as sums of round trips, and the pinger's loss.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lab/models.hpp"

namespace endhost::lab::models {
namespace {

TEST(LabModels, PageLoadFormulas) {
  // 10 objects, RTT 100 ms, T 50 ms.
  EXPECT_DOUBLE_EQ(non_persistent_ms(10, 100, 50), 22 * 100 + 50);  // (N+1)·2RTT + T
  EXPECT_DOUBLE_EQ(persistent_ms(10, 100, 50), 12 * 100 + 50);      // 2RTT + N·RTT + T
  EXPECT_DOUBLE_EQ(parallel_ms(10, 10, 100, 50), 4 * 100 + 50);     // all at once: 4RTT + T
  EXPECT_DOUBLE_EQ(parallel_ms(10, 5, 100, 50), 6 * 100 + 50);      // two waves of 5
  EXPECT_DOUBLE_EQ(parallel_ms(10, 3, 100, 50), 10 * 100 + 50);     // four waves (3, 3, 3, 1)
  EXPECT_DOUBLE_EQ(non_persistent_rtts(10), 22);
  EXPECT_DOUBLE_EQ(persistent_rtts(10), 12);
  EXPECT_DOUBLE_EQ(parallel_rtts(0, 5), 2);
  // 200,000 bytes over 15 Mb/s: 106.67 ms.
  EXPECT_NEAR(transmission_ms(200'000, 15'000'000), 1600.0 / 15.0, 1e-9);
  EXPECT_EQ(transmission_ms(200'000, 0), 0);
}

TEST(LabModels, TheTextbooksCacheExample) {
  // §2.2.5: 15 requests/s, 1 Mbit objects, 100 Mb/s LAN, 15 Mb/s access link.
  EXPECT_DOUBLE_EQ(traffic_intensity(15, 1e6, 100e6), 0.15);
  EXPECT_DOUBLE_EQ(traffic_intensity(15, 1e6, 15e6), 1.0);
  EXPECT_TRUE(std::isinf(access_delay_ms(1e6, 15e6, 15)));  // intensity 1: the delay grows without bound
  const CacheModel m = cache_model(15, 1e6, 15e6, 2000, 10, 0.4);
  EXPECT_DOUBLE_EQ(m.intensity_without, 1.0);
  EXPECT_NEAR(m.intensity_with, 0.6, 1e-12);
  // Δ = 1/15 s, β = 9/s: Δ/(1 − Δβ) = (1/15)/(0.4) s = 166.7 ms, "tens of milliseconds" in the book.
  EXPECT_NEAR(m.access_delay_with_ms, 1000.0 / 15 / 0.4, 1e-9);
  EXPECT_TRUE(std::isinf(m.response_without_ms));
  // 0.4 × 0.01 s + 0.6 × (2 s + access delay): "just slightly greater than 1.2 seconds" plus the access
  // delay.
  EXPECT_NEAR(m.response_with_ms, 0.4 * 10 + 0.6 * (2000 + 1000.0 / 15 / 0.4 + 10), 1e-9);
  // Light load: the access delay is about Δ.
  EXPECT_NEAR(access_delay_ms(1e6, 15e6, 0.001), 1000.0 / 15, 0.01);
}

TEST(LabModels, PollaczekKhinchineAccessDelay) {
  // c² = 1 (M/M/1) is the textbook's Δ/(1 − Δβ): at intensity 0.6 with the book's figures, 2.5 Δ.
  EXPECT_NEAR(access_delay_pk_ms(1e6, 15e6, 9, 1), access_delay_ms(1e6, 15e6, 9), 1e-9);
  EXPECT_NEAR(access_delay_pk_ms(1e6, 15e6, 9, 1), 1000.0 / 15 * 2.5, 1e-9);
  // c² = 0 (one size, M/D/1) waits half as long: Δ + ρΔ/(2(1 − ρ)) = Δ (1 + 0.6/0.8) at ρ = 0.6.
  EXPECT_NEAR(access_delay_pk_ms(1e6, 15e6, 9, 0), 1000.0 / 15 * 1.75, 1e-9);
  EXPECT_TRUE(std::isinf(access_delay_pk_ms(1e6, 15e6, 15, 0)));
}

TEST(LabModels, LookupsAndPings) {
  const std::vector<double> rtts{40, 30, 50, 50};
  EXPECT_DOUBLE_EQ(lookup_ms(rtts), 170);
  EXPECT_DOUBLE_EQ(lookup_ms({}), 0);
  EXPECT_DOUBLE_EQ(ping_loss(0, 0.3), 0.3);
  EXPECT_NEAR(ping_loss(0.02, 0.3), 1 - 0.98 * 0.7, 1e-12);
}

}  // namespace
}  // namespace endhost::lab::models
