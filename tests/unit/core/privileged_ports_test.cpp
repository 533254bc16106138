// Which ports this process may bind: the capability, the sysctl, and ports anyone may bind; and the default
// port of a service that prefers its well-known one (mail's 25) when allowed.
#include "core/privileged_ports.hpp"

#include <gtest/gtest.h>

#include "core/service_registry.hpp"

namespace endhost::core {
namespace {

constexpr std::uint64_t kBind = std::uint64_t{1} << 10;  // CAP_NET_BIND_SERVICE

TEST(PrivilegedPorts, TheRuleDependsOnThePort) {
  EXPECT_FALSE(privileged_ports(1000, 0, 1024, 25).allowed);
  EXPECT_TRUE(privileged_ports(1000, 0, 1024, 2525).allowed) << "a high port needs nothing";
  EXPECT_TRUE(privileged_ports(1000, 0, 25, 25).allowed);
  EXPECT_FALSE(privileged_ports(1000, 0, 26, 25).allowed);
  EXPECT_TRUE(privileged_ports(1000, kBind, 1024, 25).allowed);
  EXPECT_EQ(privileged_ports(0, ~std::uint64_t{0}, 1024, 587).why, "running as root");
  EXPECT_FALSE(privileged_ports(0, ~kBind, 1024, 587).allowed) << "root without the capability";
}

TEST(PrivilegedPorts, DefaultServePortPrefersTheWellKnownOneWhenAllowed) {
  ServiceDescriptor d;
  d.port = 25;
  d.serve_port = 2525;
  EXPECT_EQ(d.default_serve_port(), 2525) << "without prefer_well_known_port";
  d.prefer_well_known_port = true;
  EXPECT_EQ(d.default_serve_port(), may_bind_port(25) ? 25 : 2525);
  ServiceDescriptor plain;
  plain.port = 53;
  EXPECT_EQ(plain.default_serve_port(), 53);
}

}  // namespace
}  // namespace endhost::core
