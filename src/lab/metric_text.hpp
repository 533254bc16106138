// Reads numbers back out of a MetricsRegistry for the dashboard. The registry only renders itself (the
// Prometheus text format), so the lab sums the samples of a family from that text: a few kilobytes per host,
// once a second, off the request path.
#pragma once

#include <string_view>

#include "core/metrics.hpp"

namespace endhost::lab {

// The sum of every sample of `family` in Prometheus text (all label sets); 0 when absent. For histograms,
// pass the "_count" or "_sum" series name.
double sum_samples(std::string_view prometheus_text, std::string_view family);
double sum_metric(const core::MetricsRegistry& registry, std::string_view family);

}  // namespace endhost::lab
