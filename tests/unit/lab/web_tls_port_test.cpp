// The lab's web hosts over TLS (recipes/web_recipe.cpp's web_tls_port, lab_map.cpp): 443 or port_base + 443
// beside each web host's clear port, in lab.json (tls_port, read back) and in the map with how curl,
// endhost fetch and Chromium trust the lab's CA; none where another service of the host has that port.
#include <gtest/gtest.h>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/lab_map.hpp"
#include "lab/recipes/recipes.hpp"
#include "lab/zone_plan.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

struct Lab {
  LabConfig config;
  AddressPlan plan;
  ZonePlan zones;
  MapInputs inputs(std::string ca = "/tmp/x/tls/ca.pem") const {
    MapInputs in;
    in.config = &config;
    in.plan = &plan;
    in.zones = &zones;
    in.net = "127.20";
    in.state_dir = "/tmp/x";
    in.ca_cert = std::move(ca);
    return in;
  }
};

Lab make_lab(const std::string& toml, PortMode mode) {
  auto c = parse_config(toml, "t.toml", services());
  EXPECT_TRUE(c) << (c ? "" : c.error());
  Lab lab{std::move(*c), {}, {}};
  auto plan = plan_addresses(lab.config, {mode, "test"}, services());
  EXPECT_TRUE(plan) << (plan ? "" : plan.error());
  lab.plan = std::move(*plan);
  auto zones = plan_zones(lab.config, lab.plan);
  EXPECT_TRUE(zones) << (zones ? "" : zones.error());
  lab.zones = std::move(*zones);
  return lab;
}

TEST(WebTlsPort, EveryWebHostOnPortBasePlus443) {
  const Lab lab = make_lab(std::string(default_config_toml()), PortMode::high);
  auto info = parse_lab_json(lab_json(lab.inputs()));
  ASSERT_TRUE(info) << info.error();
  ASSERT_FALSE(info->web.empty());
  for (const auto& w : info->web) EXPECT_EQ(w.tls_port, 20443) << w.host;
  const PlannedHost* dns = lab.plan.find_host("a.root-servers.net");
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(web_tls_port(*dns, lab.plan, lab.config), 0);  // no web server there

  const std::string map = format_map(lab.inputs());
  const PlannedHost* www = lab.plan.find_host("www.someschool.edu");
  ASSERT_NE(www, nullptr);
  EXPECT_NE(map.find("web tcp/20080 https/20443"), std::string::npos) << map;
  EXPECT_NE(map.find("HTTPS on the web hosts (h2 and http/1.1 by ALPN"), std::string::npos) << map;
  EXPECT_NE(map.find("curl --http2 --cacert /tmp/x/tls/ca.pem --resolve "), std::string::npos) << map;
  EXPECT_NE(map.find("endhost fetch --http2 --cacert /tmp/x/tls/ca.pem --resolve "), std::string::npos)
      << map;
  EXPECT_NE(map.find("certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n endhost-lab -i /tmp/x/tls/ca.pem"),
            std::string::npos)
      << map;
  EXPECT_NE(map.find("--ignore-certificate-errors-spki-list="), std::string::npos) << map;
  EXPECT_NE(map.find("https://www.someschool.edu:20443/"), std::string::npos) << map;
  EXPECT_NE(map.find(www->address + ":20443"), std::string::npos) << map;
  EXPECT_NE(map.find("endhost lab experiment hol --state /tmp/x"), std::string::npos) << map;
}

TEST(WebTlsPort, RealPortsAre443AndTheURLHasNoPort) {
  const Lab lab = make_lab(std::string(default_config_toml()), PortMode::real);
  const PlannedHost* www = lab.plan.find_host("www.someschool.edu");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(web_tls_port(*www, lab.plan, lab.config), 443);  // RFC 9110 §4.2.2
  const std::string map = format_map(lab.inputs());
  EXPECT_NE(map.find("https://www.someschool.edu/  "), std::string::npos) << map;
}

TEST(WebTlsPort, NoneWhereTheHostHasThatPortAndNoSectionWithoutACA) {
  const Lab lab =
      make_lab(std::string(default_config_toml()) +
                   "\n[[host]]\nname = \"www.example.com\"\nweb = { site = \"gaia\", port = 20443 }\n",
               PortMode::high);
  const PlannedHost* h = lab.plan.find_host("www.example.com");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(web_tls_port(*h, lab.plan, lab.config), 0);
  auto info = parse_lab_json(lab_json(lab.inputs()));
  ASSERT_TRUE(info) << info.error();
  for (const auto& w : info->web) EXPECT_EQ(w.tls_port, w.host == "www.example.com" ? 0 : 20443) << w.host;
  const std::string map = format_map(lab.inputs(""));
  EXPECT_EQ(map.find("HTTPS on the web hosts"), std::string::npos) << map;
}

}  // namespace
}  // namespace endhost::lab
