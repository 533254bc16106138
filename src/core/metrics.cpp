#include "core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace endhost::core {

std::uint64_t Counter::value() const {
  std::uint64_t total = 0;
  for (const auto& s : slots_) total += s.v.load(std::memory_order_relaxed);
  return total;
}

void Gauge::set(std::int64_t v) {
  for (auto& s : slots_) s.v.store(0, std::memory_order_relaxed);
  slots_[0].v.store(v, std::memory_order_relaxed);
}

std::int64_t Gauge::value() const {
  std::int64_t total = 0;
  for (const auto& s : slots_) total += s.v.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), shards_(std::make_unique<Shard[]>(kMetricShards)) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i < kMetricShards; ++i) {
    shards_[i].buckets = std::vector<std::atomic<std::uint64_t>>(bounds_.size() + 1);
  }
}

void Histogram::observe(double v, std::size_t shard) {
  auto& s = shards_[shard % kMetricShards];
  std::size_t i =
      static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  double scaled = v * 1e6;
  if (scaled > 0) s.sum_micro.fetch_add(static_cast<std::uint64_t>(scaled), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.bounds = bounds_;
  std::vector<std::uint64_t> per_bucket(bounds_.size() + 1, 0);
  std::uint64_t sum_micro = 0;
  for (std::size_t i = 0; i < kMetricShards; ++i) {
    for (std::size_t b = 0; b < per_bucket.size(); ++b) {
      per_bucket[b] += shards_[i].buckets[b].load(std::memory_order_relaxed);
    }
    sum_micro += shards_[i].sum_micro.load(std::memory_order_relaxed);
  }
  std::uint64_t running = 0;
  for (auto c : per_bucket) {
    running += c;
    snap.cumulative.push_back(running);
  }
  snap.count = running;
  snap.sum = static_cast<double>(sum_micro) / 1e6;
  return snap;
}

std::vector<double> default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Series& MetricsRegistry::series_for(std::string_view name, std::string_view help, Kind kind,
                                                     Labels&& labels) {
  std::lock_guard lock(mutex_);
  auto fam =
      std::find_if(families_.begin(), families_.end(), [&](const Family& f) { return f.name == name; });
  if (fam == families_.end()) {
    families_.push_back(Family{std::string(name), std::string(help), kind, {}});
    fam = std::prev(families_.end());
  } else if (fam->kind != kind) {
    throw std::logic_error(fmt::format("metric {} registered twice with different kinds", name));
  }
  for (auto& s : fam->series) {
    if (s.labels == labels) return s;
  }
  fam->series.push_back(Series{std::move(labels), nullptr, nullptr, nullptr});
  return fam->series.back();
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, Labels labels) {
  auto& s = series_for(name, help, Kind::Counter, std::move(labels));
  std::lock_guard lock(mutex_);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, Labels labels) {
  auto& s = series_for(name, help, Kind::Gauge, std::move(labels));
  std::lock_guard lock(mutex_);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::vector<double> bounds, Labels labels) {
  auto& s = series_for(name, help, Kind::Histogram, std::move(labels));
  std::lock_guard lock(mutex_);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *s.histogram;
}

namespace {

// Label values escape backslash, double quote and newline (exposition format spec).
std::string render_labels(const Labels& labels, std::string_view extra_key = {},
                          std::string_view extra = {}) {
  if (labels.empty() && extra_key.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '"')
        out += "\\\"";
      else if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_key.empty()) add(extra_key, extra);
  out += '}';
  return out;
}

std::string format_double(double v) {
  return fmt::format("{}", v);
}

}  // namespace

std::string MetricsRegistry::render_prometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) {
    std::string_view type = f.kind == Kind::Counter ? "counter"
                            : f.kind == Kind::Gauge ? "gauge"
                                                    : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, type);
    for (const auto& s : f.series) {
      if (s.counter) out += fmt::format("{}{} {}\n", f.name, render_labels(s.labels), s.counter->value());
      if (s.gauge) out += fmt::format("{}{} {}\n", f.name, render_labels(s.labels), s.gauge->value());
      if (s.histogram) {
        auto snap = s.histogram->snapshot();
        for (std::size_t i = 0; i < snap.bounds.size(); ++i) {
          out +=
              fmt::format("{}_bucket{} {}\n", f.name,
                          render_labels(s.labels, "le", format_double(snap.bounds[i])), snap.cumulative[i]);
        }
        out += fmt::format("{}_bucket{} {}\n", f.name, render_labels(s.labels, "le", "+Inf"), snap.count);
        out += fmt::format("{}_sum{} {}\n", f.name, render_labels(s.labels), format_double(snap.sum));
        out += fmt::format("{}_count{} {}\n", f.name, render_labels(s.labels), snap.count);
      }
    }
  }
  return out;
}

}  // namespace endhost::core
