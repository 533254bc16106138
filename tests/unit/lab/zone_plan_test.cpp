// The zones the lab writes for the default hierarchy: every file loads, and the DNS codec's answer engine,
// walking root → edu → umass.edu → cs.umass.edu as a resolver would, is referred down to gaia's address.
#include <gtest/gtest.h>

#include <map>

#include "dns/answer.hpp"
#include "dns/message.hpp"
#include "dns/zone_parser.hpp"
#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/zone_plan.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

struct Hierarchy {
  LabConfig config;
  AddressPlan plan;
  ZonePlan zones;
  std::map<std::string, dns::ZoneSet> by_server;  // server address → the zones it serves
};

Hierarchy build() {
  Hierarchy h;
  auto c = parse_config(default_config_toml(), "default", services());
  EXPECT_TRUE(c);
  h.config = std::move(*c);
  auto p = plan_addresses(h.config, {PortMode::high, ""}, services());
  EXPECT_TRUE(p);
  h.plan = std::move(*p);
  auto z = plan_zones(h.config, h.plan);
  EXPECT_TRUE(z) << (z ? "" : z.error());
  h.zones = std::move(*z);
  for (const auto& zf : h.zones.zones) {
    for (const auto& server : zf.servers) {
      dns::ZoneParseOptions opts;
      opts.origin = *dns::Name::from_string(zf.origin == "." ? "." : zf.origin + ".");
      auto zone = dns::load_zone(zf.text, zf.file_name, opts);
      EXPECT_TRUE(zone) << zf.file_name;
      EXPECT_TRUE(h.by_server[h.plan.find_host(server)->address].add(std::move(*zone)));
    }
  }
  return h;
}

dns::Message ask(const dns::ZoneSet& zones, const std::string& name) {
  auto query = dns::encode_message(dns::make_query(7, *dns::Name::from_string(name), dns::RRType::A, false));
  std::array<std::uint8_t, 4096> out{};
  auto r = dns::answer(*query, zones, {}, out);
  auto m = dns::decode_message(std::span<const std::uint8_t>(out.data(), r.size));
  EXPECT_TRUE(m);
  return *m;
}

std::string glue_address(const dns::Message& m, const std::string& server) {
  for (const auto& rr : m.additionals) {
    if (rr.type == dns::RRType::A && rr.name == *dns::Name::from_string(server)) {
      return dns::rdata_to_string(rr.type, rr.rdata);
    }
  }
  return {};
}

TEST(ZonePlan, EveryZoneOfTheHierarchyIsWritten) {
  Hierarchy h = build();
  std::vector<std::string> origins;
  for (const auto& z : h.zones.zones) origins.push_back(z.origin);
  for (const char* o : {".", "com", "edu", "fr", "someschool.edu", "umass.edu", "cs.umass.edu",
                        "networkutopia.com", "exotiquecuisine.com", "hamburger.edu", "crepes.fr"}) {
    EXPECT_NE(std::find(origins.begin(), origins.end(), o), origins.end()) << o;
  }
  EXPECT_EQ(origins.front(), ".");  // parents first
  EXPECT_NE(h.zones.root_hints.find("a.root-servers.net."), std::string::npos);
}

TEST(ZonePlan, ReferralsWithGlueLeadFromTheRootToGaia) {
  Hierarchy h = build();
  std::string server = h.plan.find_host("a.root-servers.net")->address;
  std::vector<std::string> path;
  for (int hop = 0; hop < 6; ++hop) {
    dns::Message m = ask(h.by_server.at(server), "gaia.cs.umass.edu.");
    if (!m.answers.empty()) {
      EXPECT_TRUE(m.header.aa);
      EXPECT_EQ(dns::rdata_to_string(m.answers[0].type, m.answers[0].rdata),
                h.plan.find_host("gaia.cs.umass.edu")->address);
      EXPECT_EQ(path, (std::vector<std::string>{"edu.", "umass.edu.", "cs.umass.edu."}));
      return;
    }
    ASSERT_FALSE(m.authorities.empty()) << "hop " << hop << ": neither answer nor referral";
    const auto& ns = m.authorities.front();
    ASSERT_EQ(ns.type, dns::RRType::NS);
    path.push_back(ns.name.to_string());
    std::string target = dns::rdata_to_string(ns.type, ns.rdata);
    server = glue_address(m, target);
    ASSERT_FALSE(server.empty()) << "no glue for " << target;
    EXPECT_EQ(server, h.plan.find_host(target.substr(0, target.size() - 1))->address);
  }
  FAIL() << "no answer after 6 referrals";
}

// The FTP host is named in its school's zone like every other host (issue 13 §3).
TEST(ZonePlan, TheFtpHostIsInItsSchoolsZone) {
  Hierarchy h = build();
  const PlannedHost* ftp = h.plan.find_host("ftp.someschool.edu");
  ASSERT_NE(ftp, nullptr);
  ASSERT_NE(ftp->find("ftp"), nullptr);
  auto m = ask(h.by_server[h.plan.find_host("dns.someschool.edu")->address], "ftp.someschool.edu.");
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(dns::rdata_to_string(m.answers[0].type, m.answers[0].rdata), ftp->address);
}

TEST(ZonePlan, ExtraRecordsAndTwoServersForNetworkUtopia) {
  Hierarchy h = build();
  for (const auto& z : h.zones.zones) {
    if (z.origin != "networkutopia.com") continue;
    EXPECT_EQ(z.servers, (std::vector<std::string>{"dns1.networkutopia.com", "dns2.networkutopia.com"}));
    EXPECT_NE(z.text.find("@     MX    10 mail"), std::string::npos);
    return;
  }
  FAIL() << "no networkutopia.com zone";
}

TEST(ZonePlan, ABadExtraRecordNamesTheZone) {
  auto c = parse_config(default_config_toml(), "default", services());
  c->zones.front().records.push_back("@ MX not-a-number mail");
  auto plan = plan_addresses(*c, {PortMode::high, ""}, services());
  auto zones = plan_zones(*c, *plan);
  ASSERT_FALSE(zones);
  EXPECT_NE(zones.error().find("networkutopia.com"), std::string::npos) << zones.error();
}

TEST(ZonePlan, ClosestZone) {
  std::vector<std::string> zones{".", "edu", "umass.edu", "cs.umass.edu"};
  EXPECT_EQ(closest_zone("gaia.cs.umass.edu", zones), "cs.umass.edu");
  EXPECT_EQ(closest_zone("www.umass.edu", zones), "umass.edu");
  EXPECT_EQ(closest_zone("dashboard.lab", zones), ".");
  EXPECT_EQ(closest_zone("x", {"edu"}), "");
}

}  // namespace
}  // namespace endhost::lab
