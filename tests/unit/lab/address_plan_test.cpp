// The address plan: addresses in order inside the lab's /16, explicit ones kept, real or high ports, and the
// automatic choice that falls back to high ports when the real ones are taken.
#include <gtest/gtest.h>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

LabConfig default_config() {
  auto c = parse_config(default_config_toml(), "default", services());
  EXPECT_TRUE(c) << c.error();
  return *c;
}

TEST(AddressPlan, HostsGetConsecutiveAddressesOfTheNet) {
  LabConfig c = default_config();
  c.lab.net = "127.77";
  auto plan = plan_addresses(c, {PortMode::high, "test"}, services());
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->hosts.size(), c.hosts.size());
  EXPECT_EQ(plan->hosts[0].address, "127.77.0.1");
  EXPECT_EQ(plan->hosts[1].address, "127.77.0.2");
  EXPECT_EQ(plan->find_host("a.root-servers.net")->address, "127.77.0.1");
}

TEST(AddressPlan, HighPortsAreTheBasePlusTheRealOnes) {
  LabConfig c = default_config();
  c.lab.port_base = 20000;
  auto plan = plan_addresses(c, {PortMode::high, "test"}, services());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->dns_port, 20053);
  EXPECT_EQ(plan->host_with("web")->find("web")->port, 20080);
  EXPECT_EQ(plan->host_with("proxy")->find("proxy")->port, 23128);
  EXPECT_EQ(plan->host_with("resolver")->find("resolver")->port, 20053);
  EXPECT_EQ(plan->host_with("ping")->find("ping")->port, 12000);  // its own port

  auto real = plan_addresses(c, {PortMode::real, "test"}, services());
  ASSERT_TRUE(real);
  EXPECT_EQ(real->dns_port, 53);
  EXPECT_EQ(real->host_with("web")->find("web")->port, 80);
  EXPECT_EQ(real->host_with("proxy")->find("proxy")->port, 3128);
}

TEST(AddressPlan, ExplicitAddressesAreKeptAndSkipped) {
  LabConfig c;
  c.lab.net = "127.5";
  HostConfig a, b, d;
  a.name = "a.test";
  b.name = "b.test";
  b.address = "127.5.0.1";
  d.name = "d.test";
  c.hosts = {a, b, d};
  auto plan = plan_addresses(c, {PortMode::high, ""}, services());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->hosts[0].address, "127.5.0.2");
  EXPECT_EQ(plan->hosts[1].address, "127.5.0.1");
  EXPECT_EQ(plan->hosts[2].address, "127.5.0.3");
}

TEST(AddressPlan, TwoServicesOnOnePortAreRefused) {
  LabConfig c;
  HostConfig h;
  h.name = "two.test";
  h.services.push_back(HostService{"echo", {}, std::nullopt});
  h.services.push_back(HostService{"ping", {}, std::nullopt});  // both default to UDP 12000
  c.hosts = {h};
  auto plan = plan_addresses(c, {PortMode::high, ""}, services());
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().find("two services"), std::string::npos);
}

TEST(AddressPlan, AHighPortPast65535IsRefused) {
  // A registered service whose well-known port, shifted by port_base, would not fit in 16 bits.
  core::ServiceRegistry registry = services::builtin_services();
  core::ServiceDescriptor d;
  d.name = "big";
  d.summary = d.serve_help = "a service on a high well-known port";
  d.port = 9000;
  d.transports = {true, false};
  d.make = [](const core::Settings&,
              core::ServiceEnv&) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
    return Unexpected(core::ServiceError{"not built in this test"});
  };
  registry.add(d);
  LabConfig c;
  c.lab.port_base = 60000;
  HostConfig h;
  h.name = "big.test";
  h.services.push_back(HostService{"big", {}, std::nullopt});
  c.hosts = {h};
  auto plan = plan_addresses(c, {PortMode::high, ""}, registry);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().find("big's high port would be 60000 + 9000, above 65535"), std::string::npos)
      << plan.error();
  EXPECT_TRUE(plan_addresses(c, {PortMode::real, ""}, registry));  // real mode keeps 9000
}

TEST(AddressPlan, AutomaticModeSaysWhy) {
  auto busy = choose_port_mode(PortMode::automatic, "127.0.0.1", [](const std::string&) {
    return std::string("UDP port 53 on 127.0.0.1 is not free");
  });
  EXPECT_EQ(busy.mode, PortMode::high);
  EXPECT_FALSE(busy.reason.empty());
  auto free =
      choose_port_mode(PortMode::automatic, "127.0.0.1", [](const std::string&) { return std::string(); });
  EXPECT_EQ(free.mode, may_bind_privileged_ports() ? PortMode::real : PortMode::high);
  EXPECT_EQ(choose_port_mode(PortMode::high, "127.0.0.1", {}).mode, PortMode::high);
}

TEST(AddressPlan, PrivilegedPortsSayWhichRuleAllowsThem) {
  constexpr std::uint64_t kBind = std::uint64_t{1} << 10;  // CAP_NET_BIND_SERVICE
  auto root = privileged_ports(0, 0x1fffeffffffull, 1024);
  EXPECT_TRUE(root.allowed);
  EXPECT_EQ(root.why, "running as root");
  auto setcap = privileged_ports(1000, kBind, 1024);
  EXPECT_TRUE(setcap.allowed);
  EXPECT_EQ(setcap.why, "CAP_NET_BIND_SERVICE is in effect");
  auto sysctl = privileged_ports(1000, 0, 0);
  EXPECT_TRUE(sysctl.allowed);
  EXPECT_EQ(sysctl.why, "net.ipv4.ip_unprivileged_port_start is 0");
  EXPECT_TRUE(privileged_ports(1000, 0, 53).allowed);
  auto user = privileged_ports(1000, 0, 1024);
  EXPECT_FALSE(user.allowed);
  EXPECT_EQ(user.why, "not root, no CAP_NET_BIND_SERVICE, net.ipv4.ip_unprivileged_port_start is 1024");
  // Root in a container that dropped the capability cannot bind them either.
  auto dropped = privileged_ports(0, 0x1fffeffffffull & ~kBind, 1024);
  EXPECT_FALSE(dropped.allowed);
  EXPECT_EQ(dropped.why.rfind("root, no CAP_NET_BIND_SERVICE", 0), 0u) << dropped.why;
}

TEST(AddressPlan, ParsesLoopbackOnly) {
  EXPECT_TRUE(parse_loopback("127.20.0.1"));
  EXPECT_FALSE(parse_loopback("127.0.0.0"));
  EXPECT_FALSE(parse_loopback("128.0.0.1"));
  EXPECT_FALSE(parse_loopback("127.0.0"));
  EXPECT_FALSE(parse_loopback("127.0.0.256"));
  EXPECT_EQ(parse_net("127.20"), 20);
  EXPECT_FALSE(parse_net("127.256"));
  EXPECT_FALSE(parse_net("10.1"));
}

}  // namespace
}  // namespace endhost::lab
