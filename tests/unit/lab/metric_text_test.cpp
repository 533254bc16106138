#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "lab/metric_text.hpp"

namespace endhost::lab {
namespace {

TEST(MetricText, SumsEverySampleOfOneFamily) {
  core::MetricsRegistry r;
  r.counter("endhost_web_requests_total", "x", {{"status", "200"}}).inc(5);
  r.counter("endhost_web_requests_total", "x", {{"status", "404"}}).inc(2);
  r.counter("endhost_web_requests_totals", "a look-alike family", {}).inc(100);
  r.counter("endhost_other_total", "y").inc(1);
  EXPECT_EQ(sum_metric(r, "endhost_web_requests_total"), 7);
  EXPECT_EQ(sum_metric(r, "endhost_other_total"), 1);
  EXPECT_EQ(sum_metric(r, "endhost_absent_total"), 0);
}

}  // namespace
}  // namespace endhost::lab
