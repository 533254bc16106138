// No lab port on the browsers' restricted-port list (ERR_UNSAFE_PORT): the list itself, the default lab's
// ports in both modes, and a port base or explicit port that would land on the list refused with a line.
#include <gtest/gtest.h>

#include <set>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/restricted_ports.hpp"
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

// Every port the plan would print in the map.
std::set<std::uint16_t> ports_of(const AddressPlan& plan) {
  std::set<std::uint16_t> out{plan.dns_port};
  for (const auto& h : plan.hosts) {
    for (const auto& s : h.services) out.insert(s.port);
  }
  return out;
}

TEST(RestrictedPorts, IsTheFetchStandardsBadPortList) {
  const auto list = browser_restricted_ports();
  EXPECT_EQ(list.size(), 82u);
  for (std::uint16_t p : {1, 7, 21, 25, 53, 110, 587, 2049, 4190, 5060, 6000, 6697, 10080})
    EXPECT_TRUE(browser_restricted_port(p)) << p;
  for (std::uint16_t p : {80, 443, 3128, 8080, 10053, 12000, 13128, 20053, 20080, 23128})
    EXPECT_FALSE(browser_restricted_port(p)) << p;
}

TEST(RestrictedPorts, NoPortOfTheDefaultLabsHighModeIsOnTheList) {
  // Unprivileged, the lab runs on the high ports: the dashboard and the web hosts must open in a browser.
  auto plan = plan_addresses(default_config(), {PortMode::high, "test"}, services());
  ASSERT_TRUE(plan) << plan.error();
  for (std::uint16_t p : ports_of(*plan)) EXPECT_FALSE(browser_restricted_port(p)) << "port " << p;
  EXPECT_EQ(plan->host_with("dashboard")->find("dashboard")->port, 20080);
}

// DNS's 53, FTP's 21 and SMTP's 25 are on the list, for their own protocols, which no browser asks
// (address_plan.cpp).
TEST(RestrictedPorts, OnTheRealPortsOnlyDnsFtpAndSmtpAreOnTheList) {
  auto plan = plan_addresses(default_config(), {PortMode::real, "test"}, services());
  ASSERT_TRUE(plan) << plan.error();
  for (std::uint16_t p : ports_of(*plan)) {
    if (p != 53 && p != 21 && p != 25) {
      EXPECT_FALSE(browser_restricted_port(p)) << "port " << p;
    }
  }
}

TEST(RestrictedPorts, APortBaseThatLandsOnTheListIsRefused) {
  LabConfig c = default_config();
  c.lab.port_base = 10000;  // HTTP at 10080
  auto plan = plan_addresses(c, {PortMode::high, "test"}, services());
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().find("port 10080, which browsers refuse"), std::string::npos) << plan.error();
  EXPECT_NE(plan.error().find("--port-base"), std::string::npos) << plan.error();
}

TEST(RestrictedPorts, AnExplicitPortOnTheListIsRefused) {
  LabConfig c = default_config();
  c.lab.port_base = 30000;
  for (auto& h : c.hosts) {
    for (auto& s : h.services) {
      if (s.name == "echo") s.port = 6667;
    }
  }
  auto plan = plan_addresses(c, {PortMode::high, "test"}, services());
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().find("port 6667"), std::string::npos) << plan.error();
  EXPECT_NE(plan.error().find("echo.port"), std::string::npos) << plan.error();
}

}  // namespace
}  // namespace endhost::lab
