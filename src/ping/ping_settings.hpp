// The options of `endhost ping serve` and of a lab host's `ping = { … }`, declared once: the SettingTable
// that checks each value (the same sentence from the command line and the lab) and the service's
// registration. The lab's ping host drops 30% of pings unless told otherwise; the command line drops none.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "ping/loss_model.hpp"

namespace endhost::ping {

struct PingOptions {
  double loss = 0;  // fraction of pings dropped
  // --delay MS[:JITTER]
  std::chrono::microseconds delay{0};
  std::chrono::microseconds jitter{0};
  std::optional<std::uint64_t> seed;  // unset: a random one, logged
  double heartbeat_timeout = 5;       // seconds
};

const core::SettingTable<PingOptions>& ping_settings();

// Adds "ping" to the registry: `endhost ping serve` and a lab host's `ping = { … }`.
void register_service(core::ServiceRegistry& registry);

}  // namespace endhost::ping
