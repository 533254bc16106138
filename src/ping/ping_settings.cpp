#include "ping/ping_settings.hpp"

#include <charconv>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "ping/ping_server.hpp"

namespace endhost::ping {

namespace {

// "MS" or "MS:JITTER", both milliseconds, fractions allowed; empty: no delay.
Expected<void, std::string> set_delay(PingOptions& o, const std::string& text) {
  if (text.empty()) {
    o.delay = o.jitter = std::chrono::microseconds(0);
    return {};
  }
  auto parse_ms = [](std::string_view part, std::chrono::microseconds& out) {
    double v = -1;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v < 0 || v > 3'600'000)
      return false;
    out = std::chrono::microseconds(static_cast<std::int64_t>(v * 1000));
    return true;
  };
  const std::string_view t(text);
  const auto colon = t.find(':');
  std::chrono::microseconds delay{0};
  std::chrono::microseconds jitter{0};
  if (!parse_ms(t.substr(0, colon), delay) ||
      (colon != std::string_view::npos && !parse_ms(t.substr(colon + 1), jitter))) {
    return Unexpected("--delay " + text + ": expected MS or MS:JITTER in milliseconds, such as 50 or 50:10");
  }
  o.delay = delay;
  o.jitter = jitter;
  return {};
}

Expected<void, std::string> set_seed(PingOptions& o, const std::string& text) {
  auto seed = core::parse_unsigned_setting("--seed", text, 0, std::numeric_limits<std::uint64_t>::max());
  if (!seed) return Unexpected(seed.error());
  o.seed = *seed;
  return {};
}

}  // namespace

const core::SettingTable<PingOptions>& ping_settings() {
  static const auto table = [] {
    core::SettingTable<PingOptions> t;
    t.number("loss", &PingOptions::loss, 0, 1,
             "Fraction of pings to drop at random, 0 to 1 (the lab uses 0.3)", "FRACTION");
    t.custom(
        {"delay", {}, "Delay before each reply, MS or MS:JITTER (milliseconds)", "MS[:JITTER]", false, {}},
        set_delay);
    t.custom({"seed", {}, "Seed for the loss and delay (repeatable runs)", "N", false, {}}, set_seed);
    t.seconds("heartbeat-timeout", &PingOptions::heartbeat_timeout,
              "Seconds without a heartbeat before a client is reported gone");
    return t;
  }();
  return table;
}

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "ping";
  d.summary = "UDP ping server (with simulated loss and delay) and client";
  d.serve_help = "Answer pings upper-cased, dropping and delaying some";
  d.examples = "  endhost ping serve --listen 127.0.0.1:12000 --loss 0.3 --delay 20:5 --seed 7";
  d.port = kDefaultPort;
  d.shift_in_high_mode = false;  // the textbook's port, which needs no privilege
  d.transports = {false, true};
  d.lab_defaults.add("loss", "0.3");  // the textbook's UDP pinger drops 30%
  core::use_settings(
      d, ping_settings(),
      [](PingOptions o,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        PingServerConfig config;
        config.loss.loss = o.loss;
        config.loss.delay = o.delay;
        config.loss.jitter = o.jitter;
        config.seed = o.seed;
        config.heartbeat_timeout = core::seconds_as(o.heartbeat_timeout);
        config.transcript = env.transcript;
        config.listen = env.udp_listen;
        return std::unique_ptr<core::Service>(
            std::make_unique<PingServer>(env.loops, env.log, env.metrics, std::move(config)));
      });
  registry.add(std::move(d));
}

}  // namespace endhost::ping
