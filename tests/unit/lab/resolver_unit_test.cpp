// The lab's resolver unit: the ResolverService registers itself and its listeners for the drain, so the unit
// must not register it a second time (its resolutions were counted twice, and it was drained twice).
#include <gtest/gtest.h>

#include "core/service_host.hpp"
#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/unit.hpp"
#include "lab/zone_plan.hpp"

namespace endhost::lab {
namespace {

// A root server and a resolver, on addresses of their own and high ports no other test uses.
constexpr const char* kConfig = R"(
[lab]
net = "127.91"
ports = "high"
port_base = 31000

[[host]]
name = "a.root-servers.net"
dns = { zones = ["."] }

[[host]]
name = "resolver.lab"
resolver = {}
)";

TEST(ResolverUnit, RegistersTheResolverForTheDrainOnce) {
  auto config = parse_config(kConfig, "test.toml");
  ASSERT_TRUE(config) << config.error();
  auto plan = plan_addresses(*config, {PortMode::high, ""});
  ASSERT_TRUE(plan) << plan.error();
  auto zones = plan_zones(*config, *plan);
  ASSERT_TRUE(zones) << zones.error();
  LabFiles files;
  files.zones = &*zones;
  files.plan = &*plan;
  const PlannedHost* host = plan->host_with(ServiceKind::resolver);
  ASSERT_NE(host, nullptr);

  core::Logger log(core::LogFormat::Text, core::LogLevel::Error);
  core::ServiceHost service_host(core::ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  core::MetricsRegistry metrics;
  UnitContext ctx{service_host, metrics, nullptr, *host, *host->find(ServiceKind::resolver), files};
  auto unit = make_resolver_unit(ctx);
  ASSERT_TRUE(unit) << unit.error();
  EXPECT_EQ(service_host.duplicate_registrations(), 0u);
  EXPECT_GE(service_host.drainable_count(), 1u);
}

}  // namespace
}  // namespace endhost::lab
