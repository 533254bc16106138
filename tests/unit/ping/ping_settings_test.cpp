// `endhost ping serve`'s options as the registry declares them, for the command line and the lab alike:
// --delay MS[:JITTER] with fractions, the seed, the ranges, and the lab's 30% loss by default.
#include <gtest/gtest.h>

#include "core/binder.hpp"
#include "core/log.hpp"
#include "core/service_host.hpp"
#include "core/service_registry.hpp"
#include "ping/ping_settings.hpp"

namespace endhost::ping {
namespace {

Expected<PingOptions, std::string> parse(std::initializer_list<std::pair<const char*, const char*>> items) {
  core::Settings s;
  for (const auto& [name, value] : items) s.add(name, value);
  PingOptions o;
  if (auto ok = ping_settings().apply(s, o); !ok) return Unexpected(ok.error());
  return o;
}

TEST(PingSettings, DefaultsAreTheCommandLines) {
  auto o = parse({});
  ASSERT_TRUE(o) << o.error();
  EXPECT_DOUBLE_EQ(o->loss, 0.0);
  EXPECT_EQ(o->delay.count(), 0);
  EXPECT_EQ(o->jitter.count(), 0);
  EXPECT_FALSE(o->seed);
  EXPECT_DOUBLE_EQ(o->heartbeat_timeout, 5);
}

TEST(PingSettings, GoodValuesAreStored) {
  auto o = parse({{"loss", "0.25"},
                  {"delay", "20.5:5"},
                  {"seed", "18446744073709551615"},
                  {"heartbeat-timeout", "0.5"}});
  ASSERT_TRUE(o) << o.error();
  EXPECT_DOUBLE_EQ(o->loss, 0.25);
  EXPECT_EQ(o->delay, std::chrono::microseconds(20'500));
  EXPECT_EQ(o->jitter, std::chrono::milliseconds(5));
  ASSERT_TRUE(o->seed);
  EXPECT_EQ(*o->seed, 18446744073709551615ull);
  EXPECT_DOUBLE_EQ(o->heartbeat_timeout, 0.5);
  auto plain = parse({{"delay", "50"}});
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->delay, std::chrono::milliseconds(50));
  EXPECT_EQ(plain->jitter.count(), 0);
}

TEST(PingSettings, BadValuesNameTheOption) {
  auto loss = parse({{"loss", "1.5"}});
  ASSERT_FALSE(loss);
  EXPECT_EQ(loss.error(), "--loss: '1.5' is outside 0 … 1");
  for (const char* bad : {"abc", "50:", ":5", "-1", "50:x", "3600001"}) {
    auto delay = parse({{"delay", bad}});
    ASSERT_FALSE(delay) << bad;
    EXPECT_EQ(delay.error(), std::string("--delay ") + bad +
                                 ": expected MS or MS:JITTER in milliseconds, such as 50 or 50:10");
  }
  auto seed = parse({{"seed", "-3"}});
  ASSERT_FALSE(seed);
  EXPECT_EQ(seed.error(), "--seed: '-3' is not a whole number");
  auto timeout = parse({{"heartbeat-timeout", "0"}});
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error(), "--heartbeat-timeout must be a positive number of seconds");
}

TEST(PingSettings, UnknownOptionIsRefused) {
  auto o = parse({{"jitter", "5"}});
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error(), "unknown option 'jitter' (known: loss, delay, seed, heartbeat-timeout)");
}

TEST(PingService, DescriptorAndService) {
  core::ServiceRegistry registry;
  register_service(registry);
  const core::ServiceDescriptor* d = registry.find("ping");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->port, 12000);
  EXPECT_FALSE(d->shift_in_high_mode);
  EXPECT_FALSE(d->transports.tcp);
  EXPECT_TRUE(d->transports.udp);
  ASSERT_NE(d->lab_defaults.get("loss"), nullptr);
  EXPECT_EQ(*d->lab_defaults.get("loss"), "0.3");

  core::Logger log(core::LogFormat::Text, core::LogLevel::Error);
  core::ServiceHost host(core::ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  core::ServiceEnv env(host.loops(), host.log(), host.metrics(), core::Transcript());
  env.udp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  core::Settings settings = d->lab_defaults;
  settings.add("delay", "10:2");
  auto made = d->make(settings, env);
  ASSERT_TRUE(made) << made.error().message;
  core::Service& service = host.adopt(std::move(*made));
  core::Binder binder(log, "ping");
  ASSERT_TRUE(service.bind(binder));
  EXPECT_NE(binder.lowest_port(), 0);
  EXPECT_EQ(host.duplicate_registrations(), 0u);
  const auto counters = service.counters();
  ASSERT_EQ(counters.size(), 2u);
  EXPECT_EQ(counters[0].name, "received");
  EXPECT_EQ(counters[1].name, "dropped");
  EXPECT_FALSE(service.flush_cache());
}

}  // namespace
}  // namespace endhost::ping
