#include "netem/link_spec.hpp"

#include <charconv>
#include <cmath>

namespace endhost::netem {
namespace {

Unexpected<std::string> fail(std::string message) {
  return Unexpected<std::string>(std::move(message));
}

bool is_probability(double v) {
  return std::isfinite(v) && v >= 0.0 && v <= 1.0;
}

// "20 s", "150 ms", "1500 us", "7 ns": the largest unit that states the value exactly.
std::string seconds(std::chrono::nanoseconds d) {
  const auto ns = d.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + " s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + " ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + " us";
  return std::to_string(ns) + " ns";
}

}  // namespace

double LossSpec::mean_loss() const {
  switch (kind) {
    case Kind::none:
      return 0.0;
    case Kind::bernoulli:
      return p;
    case Kind::gilbert_elliott:
      // A chain that can never leave Good (p = 0) stays there; one that never leaves Bad after p > 0 and
      // r = 0 ends there.
      if (p == 0.0) return good_loss;
      if (r == 0.0) return bad_loss;
      return (r * good_loss + p * bad_loss) / (p + r);
  }
  return 0.0;
}

double DeliveryTrace::mean_rate_bps() const {
  const auto ms = period().count();
  if (ms <= 0) return 0.0;
  return static_cast<double>(opportunities.size()) * bytes_per_opportunity * 8.0 * 1000.0 /
         static_cast<double>(ms);
}

Expected<void, std::string> DeliveryTrace::validate() const {
  if (opportunities.empty()) return fail("the delivery trace is empty");
  if (opportunities.size() > SpecLimits::max_trace_entries)
    return fail("the delivery trace has " + std::to_string(opportunities.size()) +
                " entries, above the limit of " + std::to_string(SpecLimits::max_trace_entries));
  if (opportunities.front().count() < 0) return fail("the delivery trace has a negative offset");
  for (std::size_t i = 1; i < opportunities.size(); ++i)
    if (opportunities[i] < opportunities[i - 1])
      return fail("the delivery trace decreases at entry " + std::to_string(i + 1) + " (" +
                  std::to_string(opportunities[i].count()) + " ms after " +
                  std::to_string(opportunities[i - 1].count()) + " ms)");
  // The period is the last offset (Mahimahi's rule); a period of zero would repeat forever in no time.
  if (opportunities.back().count() <= 0) return fail("the delivery trace's last offset must be above 0 ms");
  if (bytes_per_opportunity < SpecLimits::min_trace_bytes || bytes_per_opportunity > 65535)
    return fail("bytes per delivery opportunity must be between " +
                std::to_string(SpecLimits::min_trace_bytes) + " and 65535, not " +
                std::to_string(bytes_per_opportunity));
  return {};
}

Expected<DeliveryTrace, std::string> parse_mahimahi_trace(std::string_view text) {
  DeliveryTrace trace;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), ms);
    if (ec != std::errc() || end != line.data() + line.size() || ms < 0)
      return fail("trace line " + std::to_string(line_no) + ": '" + std::string(line) +
                  "' is not a millisecond offset");
    if (trace.opportunities.size() >= SpecLimits::max_trace_entries)
      return fail("the delivery trace has more than " + std::to_string(SpecLimits::max_trace_entries) +
                  " entries");
    trace.opportunities.emplace_back(ms);
  }
  if (auto ok = trace.validate(); !ok) return fail(ok.error());
  return trace;
}

Expected<void, std::string> LinkSpec::validate() const {
  if (delay.count() < 0) return fail("delay must not be negative");
  if (delay > SpecLimits::max_delay)
    return fail("delay " + seconds(delay) + " is above the limit of " + seconds(SpecLimits::max_delay));
  if (jitter.count() < 0) return fail("jitter must not be negative");
  if (jitter > SpecLimits::max_jitter)
    return fail("jitter " + seconds(jitter) + " is above the limit of " + seconds(SpecLimits::max_jitter));
  if (rate_bps > SpecLimits::max_rate_bps)
    return fail("rate " + std::to_string(rate_bps) + " b/s is above the limit of 1 Tb/s");
  if (queue_bytes < SpecLimits::min_queue_bytes || queue_bytes > SpecLimits::max_queue_bytes)
    return fail("queue size " + std::to_string(queue_bytes) + " bytes is outside " +
                std::to_string(SpecLimits::min_queue_bytes) + " to " +
                std::to_string(SpecLimits::max_queue_bytes));
  if (trace) {
    if (rate_bps != 0) return fail("a link has either a rate or a delivery trace, not both");
    if (auto ok = trace->validate(); !ok) return ok;
  }
  switch (loss.kind) {
    case LossSpec::Kind::none:
      break;
    case LossSpec::Kind::bernoulli:
      if (!is_probability(loss.p)) return fail("loss must be a probability between 0 and 1");
      break;
    case LossSpec::Kind::gilbert_elliott:
      if (!is_probability(loss.p)) return fail("Gilbert-Elliott p (good to bad) must be between 0 and 1");
      if (!is_probability(loss.r)) return fail("Gilbert-Elliott r (bad to good) must be between 0 and 1");
      if (!is_probability(loss.good_loss))
        return fail("Gilbert-Elliott loss in the good state (1-k) must be between 0 and 1");
      if (!is_probability(loss.bad_loss))
        return fail("Gilbert-Elliott loss in the bad state (1-h) must be between 0 and 1");
      break;
  }
  return {};
}

}  // namespace endhost::netem
