// A small metrics registry (counters, gauges, histograms) that any service fills and that exports itself in
// the Prometheus text exposition format. Updates are lock-free: each metric keeps one cache-line-sized slot
// per shard (a shard is an event-loop index), so threads never write the same line. Registration takes a
// mutex and is meant for start-up or first use, not the request path.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace endhost::core {

inline constexpr std::size_t kMetricShards = 16;

using Labels = std::vector<std::pair<std::string, std::string>>;

namespace detail {
struct alignas(64) PaddedU64 {
  std::atomic<std::uint64_t> v{0};
};
struct alignas(64) PaddedI64 {
  std::atomic<std::int64_t> v{0};
};
}  // namespace detail

// Monotonic count of events or bytes. `shard` is the caller's event-loop index (any value works; it is
// folded).
class Counter {
 public:
  void inc(std::uint64_t n = 1, std::size_t shard = 0) {
    slots_[shard % kMetricShards].v.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const;

 private:
  std::array<detail::PaddedU64, kMetricShards> slots_{};
};

// A value that goes up and down (open connections, cache bytes).
class Gauge {
 public:
  void add(std::int64_t n, std::size_t shard = 0) {
    slots_[shard % kMetricShards].v.fetch_add(n, std::memory_order_relaxed);
  }
  void set(std::int64_t v);  // for gauges owned by one writer; resets the other shards
  std::int64_t value() const;

 private:
  std::array<detail::PaddedI64, kMetricShards> slots_{};
};

// Cumulative-bucket histogram (Prometheus semantics) over doubles, e.g. latency in seconds.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v, std::size_t shard = 0);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  struct alignas(64) Shard {
    std::vector<std::atomic<std::uint64_t>> buckets;  // size bounds+1
    std::atomic<std::uint64_t> sum_micro{0};          // sum scaled by 1e6 so it can be a lock-free integer
  };
  std::vector<double> bounds_;
  std::unique_ptr<Shard[]> shards_;
};

// Latency buckets in seconds from 100 µs to 10 s.
std::vector<double> default_latency_buckets();

// Owns metrics by name and labels, and renders them. Returned references stay valid for the registry's life.
class MetricsRegistry {
 public:
  Counter& counter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, Labels labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       Labels labels = {});

  // Prometheus text format 0.0.4: # HELP, # TYPE, then samples, families in registration order.
  std::string render_prometheus() const;

 private:
  enum class Kind { Counter, Gauge, Histogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name;
    std::string help;
    Kind kind;
    std::deque<Series> series;
  };
  Series& series_for(std::string_view name, std::string_view help, Kind kind, Labels&& labels);

  mutable std::mutex mutex_;
  std::deque<Family> families_;
};

}  // namespace endhost::core
