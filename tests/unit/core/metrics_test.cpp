#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace endhost::core {
namespace {

TEST(Metrics, CounterSumsItsShards) {
  Counter c;
  c.inc(1, 0);
  c.inc(2, 1);
  c.inc(3, 17);  // folded onto a shard
  EXPECT_EQ(c.value(), 6u);
}

TEST(Metrics, CounterIsExactUnderConcurrentUpdates) {
  Counter c;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 100'000; ++i) c.inc(1, t % 2);  // two threads per shard: contended on purpose
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 400'000u);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Histogram h({0.1, 1, 10});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(0.5, 3);
  h.observe(100);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{1, 3, 3, 4}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum, 101.05, 1e-6);
}

TEST(Metrics, RendersPrometheusTextFormat) {
  MetricsRegistry r;
  r.counter("endhost_http_responses_total", "Responses by status", {{"status", "200"}}).inc(5);
  r.counter("endhost_http_responses_total", "Responses by status", {{"status", "404"}}).inc(1);
  r.gauge("endhost_open_connections", "Open connections").add(3);
  r.histogram("endhost_latency_seconds", "Latency", {0.5, 1}).observe(0.25);
  EXPECT_EQ(r.render_prometheus(),
            "# HELP endhost_http_responses_total Responses by status\n"
            "# TYPE endhost_http_responses_total counter\n"
            "endhost_http_responses_total{status=\"200\"} 5\n"
            "endhost_http_responses_total{status=\"404\"} 1\n"
            "# HELP endhost_open_connections Open connections\n"
            "# TYPE endhost_open_connections gauge\n"
            "endhost_open_connections 3\n"
            "# HELP endhost_latency_seconds Latency\n"
            "# TYPE endhost_latency_seconds histogram\n"
            "endhost_latency_seconds_bucket{le=\"0.5\"} 1\n"
            "endhost_latency_seconds_bucket{le=\"1\"} 1\n"
            "endhost_latency_seconds_bucket{le=\"+Inf\"} 1\n"
            "endhost_latency_seconds_sum 0.25\n"
            "endhost_latency_seconds_count 1\n");
}

TEST(Metrics, SameNameAndLabelsReturnTheSameSeries) {
  MetricsRegistry r;
  auto& a = r.counter("x_total", "x");
  auto& b = r.counter("x_total", "x");
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("x_total", "x"), std::logic_error);
}

TEST(Metrics, LabelValuesAreEscaped) {
  MetricsRegistry r;
  r.counter("y_total", "y", {{"path", "a\"b\\c\nd"}}).inc();
  EXPECT_NE(r.render_prometheus().find(R"(y_total{path="a\"b\\c\nd"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace endhost::core
