#include "lab/topology_config.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

namespace endhost::lab {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The leading decimal number of `text` ("1.5" of "1.5Mbit") and what follows it.
Expected<std::pair<double, std::string>, std::string> number_and_unit(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return Unexpected(std::string("does not start with a number"));
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc() || p != text.data() + i || !std::isfinite(value)) {
    return Unexpected(std::string("does not start with a number"));
  }
  std::string unit = std::string(text.substr(i));
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  return std::make_pair(value, unit);
}

std::string trim_number(double v) {
  return fmt::format("{:g}", v);
}

bool probability(double v) {
  return v >= 0 && v <= 1;
}

}  // namespace

double LossModel::mean() const {
  if (kind == Kind::bernoulli) return p;
  if (p + r <= 0) return 1 - k;  // never leaves the good state
  const double bad = p / (p + r);
  return (1 - k) * (1 - bad) + (1 - h) * bad;
}

LinkFigures LinkFigures::merged(const LinkFigures& over) const {
  LinkFigures out = *this;
  if (over.delay_ms) out.delay_ms = over.delay_ms;
  if (over.jitter_ms) out.jitter_ms = over.jitter_ms;
  if (over.rate_bps) out.rate_bps = over.rate_bps;
  // A queue is bytes or packets: the override's kind replaces the other.
  if (over.queue_bytes || over.queue_packets) {
    out.queue_bytes = over.queue_bytes;
    out.queue_packets = over.queue_packets;
  }
  if (over.loss) out.loss = over.loss;
  if (over.trace) out.trace = over.trace;
  return out;
}

Expected<std::uint64_t, std::string> parse_rate(std::string_view text) {
  auto nu = number_and_unit(text);
  if (!nu) return Unexpected(fmt::format("rate '{}' {}: write it like \"15Mbit\"", text, nu.error()));
  auto [value, unit_text] = *nu;
  std::string unit = lower(unit_text);
  if (unit.ends_with("/s")) unit.resize(unit.size() - 2);
  double scale = 0;
  if (unit.empty() || unit == "bit") {
    scale = 1;
  } else if (unit == "kbit") {
    scale = 1e3;
  } else if (unit == "mbit") {
    scale = 1e6;
  } else if (unit == "gbit") {
    scale = 1e9;
  } else {
    return Unexpected(
        fmt::format("rate '{}': unknown unit '{}' (bits per second: \"15Mbit\", \"64kbit\", \"1Gbit\", or a "
                    "plain number)",
                    text, unit_text));
  }
  const double bps = value * scale;
  if (bps > static_cast<double>(kMaxLinkRateBps) * 10) {
    return Unexpected(fmt::format("rate '{}' is beyond any link", text));
  }
  return static_cast<std::uint64_t>(std::llround(bps));
}

Expected<std::uint64_t, std::string> parse_queue_bytes(std::string_view text) {
  auto nu = number_and_unit(text);
  if (!nu) return Unexpected(fmt::format("queue '{}' {}: write it like \"64KiB\"", text, nu.error()));
  auto [value, unit_text] = *nu;
  const std::string unit = lower(unit_text);
  double scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "kib") {
    scale = 1024;
  } else if (unit == "mib") {
    scale = 1024.0 * 1024;
  } else if (unit == "gib") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "kb") {
    scale = 1e3;
  } else if (unit == "mb") {
    scale = 1e6;
  } else if (unit == "gb") {
    scale = 1e9;
  } else {
    return Unexpected(fmt::format(
        "queue '{}': unknown unit '{}' (bytes: \"64KiB\", \"1MiB\", \"100kB\"; or a number of packets)", text,
        unit_text));
  }
  const double bytes = value * scale;
  if (bytes > 1e15) return Unexpected(fmt::format("queue '{}' is beyond any memory", text));
  return static_cast<std::uint64_t>(std::llround(bytes));
}

std::string format_rate(std::uint64_t bps) {
  if (bps == 0) return "unlimited";
  const double v = static_cast<double>(bps);
  if (bps >= 1'000'000'000 && bps % 10'000'000 == 0) return trim_number(v / 1e9) + " Gbit/s";
  if (bps >= 1'000'000 && bps % 10'000 == 0) return trim_number(v / 1e6) + " Mbit/s";
  if (bps >= 1'000 && bps % 10 == 0) return trim_number(v / 1e3) + " kbit/s";
  return std::to_string(bps) + " bit/s";
}

std::string format_queue(std::uint64_t bytes, std::uint32_t packets) {
  if (packets) return fmt::format("{} packets", packets);
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

std::string format_loss(const LossModel& loss) {
  if (loss.kind == LossModel::Kind::bernoulli) return trim_number(loss.p * 100) + "%";
  return fmt::format("gilbert-elliott p={} r={} h={} k={} (mean {:.2g}%)", trim_number(loss.p),
                     trim_number(loss.r), trim_number(loss.h), trim_number(loss.k), loss.mean() * 100);
}

std::string figures_error(const LinkFigures& f) {
  if (f.delay_ms && !(*f.delay_ms >= 0 && *f.delay_ms <= kMaxLinkDelayMs))
    return fmt::format("delay_ms {:g} is outside 0 … {:g}", *f.delay_ms, kMaxLinkDelayMs);
  if (f.jitter_ms && !(*f.jitter_ms >= 0 && *f.jitter_ms <= kMaxLinkDelayMs))
    return fmt::format("jitter_ms {:g} is outside 0 … {:g}", *f.jitter_ms, kMaxLinkDelayMs);
  if (f.rate_bps && *f.rate_bps != 0 && (*f.rate_bps < kMinLinkRateBps || *f.rate_bps > kMaxLinkRateBps)) {
    return fmt::format("rate {} is outside {} … {} (or 0: unlimited)", format_rate(*f.rate_bps),
                       format_rate(kMinLinkRateBps), format_rate(kMaxLinkRateBps));
  }
  if (f.queue_bytes && (*f.queue_bytes < kMinQueueBytes || *f.queue_bytes > kMaxQueueBytes)) {
    return fmt::format("queue of {} bytes is outside {} … {} bytes", *f.queue_bytes, kMinQueueBytes,
                       kMaxQueueBytes);
  }
  if (f.queue_packets && (*f.queue_packets < 1 || *f.queue_packets > kMaxQueuePackets))
    return fmt::format("queue of {} packets is outside 1 … {}", *f.queue_packets, kMaxQueuePackets);
  if (f.loss) {
    const LossModel& l = *f.loss;
    if (!probability(l.p) || !probability(l.r) || !probability(l.h) || !probability(l.k))
      return "loss probabilities must be between 0 and 1";
    if (l.kind == LossModel::Kind::gilbert_elliott && l.p > 0 && l.r == 0)
      return "loss: a Gilbert-Elliott chain with r = 0 never leaves the bad state: give r > 0";
    if (l.mean() >= 1) return "loss must be below 1 (every packet lost is no link)";
  }
  if (f.trace && f.trace->empty()) return "trace must name a file";
  if (f.trace && f.rate_bps && *f.rate_bps != 0)
    return "give a rate or a delivery trace, not both (the trace sets when packets may leave)";
  return {};
}

std::string_view to_string(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::automatic:
      return "auto";
    case NetworkMode::emulated:
      return "emulated";
    case NetworkMode::loopback:
      return "loopback";
  }
  return "auto";
}

}  // namespace endhost::lab
