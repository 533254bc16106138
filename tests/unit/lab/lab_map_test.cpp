// lab.json round trip: what the lab writes, parse_lab_json reads back (hosts, services, the resolver, cache
// and dashboard endpoints, the web hosts with their pages); services not in the build are not "running".
#include <gtest/gtest.h>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/experiments/model_rows.hpp"
#include "lab/lab_map.hpp"
#include "lab/topology_plan.hpp"
#include "lab/zone_plan.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

TEST(LabMap, JsonRoundTrip) {
  auto c = parse_config(default_config_toml(), "default", services());
  ASSERT_TRUE(c);
  auto plan = plan_addresses(*c, {PortMode::high, "test"}, services());
  ASSERT_TRUE(plan);
  auto zones = plan_zones(*c, *plan);
  ASSERT_TRUE(zones);
  MapInputs in;
  in.config = &*c;
  in.plan = &*plan;
  in.zones = &*zones;
  in.net = "127.20";
  in.state_dir = "/tmp/x";
  in.pid = 1234;
  in.sites["someschool"] = {{"/index.html", 10, {}},
                            {"/someDepartment/home.html", 20, {"/someDepartment/obj1.gif"}}};

  auto info = parse_lab_json(lab_json(in));
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->pid, 1234);
  EXPECT_EQ(info->dns_port, 20053);
  ASSERT_TRUE(info->resolver);
  EXPECT_EQ(info->resolver->host, "dns.nyu.edu");
  EXPECT_EQ(info->resolver->port, 20053);
  ASSERT_TRUE(info->cache);
  EXPECT_EQ(info->cache->port, 23128);
  ASSERT_TRUE(info->dashboard);
  EXPECT_EQ(info->hosts.size(), c->hosts.size());
  EXPECT_TRUE(info->service("echo"));
  EXPECT_TRUE(info->service("ping"));
  ASSERT_FALSE(info->web.empty());
  EXPECT_EQ(info->web.front().host, "www.someschool.edu");
  ASSERT_EQ(info->web.front().pages.size(), 1u);
  EXPECT_EQ(info->web.front().pages[0].objects, std::vector<std::string>{"/someDepartment/obj1.gif"});
  // The FTP host with its login and the site whose web host serves the same pub/ (the ftp experiment).
  ASSERT_EQ(info->ftp.size(), 1u);
  EXPECT_EQ(info->ftp[0].host, "ftp.someschool.edu");
  EXPECT_EQ(info->ftp[0].port, 20021);
  EXPECT_EQ(info->ftp[0].site, "someschool");
  EXPECT_EQ(info->ftp[0].login, "alice");
  EXPECT_EQ(info->ftp[0].password, "wonderland");
  EXPECT_EQ(info->ftp[0].address, info->find_host("ftp.someschool.edu")->address);
  EXPECT_EQ(info->web.front().site, "someschool");
  bool root = false;
  for (const auto& [origin, servers] : info->zones)
    root = root || (origin == "." && servers[0] == "a.root-servers.net");
  EXPECT_TRUE(root);

  std::string map = format_map(in);
  EXPECT_NE(map.find("a.root-servers.net"), std::string::npos);
  EXPECT_NE(map.find("ports: high (test)"), std::string::npos);
  EXPECT_NE(map.find("dig @" + info->resolver->address + " -p 20053 www.someschool.edu"), std::string::npos);
  EXPECT_NE(map.find("curl -x http://" + info->cache->address + ":23128"), std::string::npos);
  EXPECT_NE(map.find("ping udp/12000  30% loss"), std::string::npos) << map;
  EXPECT_NE(map.find("zones: edu"), std::string::npos);
}

// The network travels in lab.json: the mode and why, the topology (read back into a plan whose paths are
// the lab's), each host's site and the pinger's own loss; the map shows the mode and every link.
TEST(LabMap, CarriesTheNetwork) {
  auto c = parse_config(default_config_toml(), "default", services());
  ASSERT_TRUE(c);
  auto plan = plan_addresses(*c, {PortMode::high, "test"}, services(), {NetworkMode::emulated, "test run"});
  ASSERT_TRUE(plan) << plan.error();
  auto zones = plan_zones(*c, *plan);
  ASSERT_TRUE(zones);
  const TopologyPlan topology = plan_topology(*c, *plan);
  MapInputs in;
  in.config = &*c;
  in.plan = &*plan;
  in.zones = &*zones;
  in.topology = &topology;
  in.net = "127.20";
  in.state_dir = "/tmp/x";
  auto info = parse_lab_json(lab_json(in));
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->network, "emulated");
  EXPECT_EQ(info->network_reason, "test run");
  ASSERT_TRUE(info->topology);
  EXPECT_TRUE(info->topology->emulated);
  EXPECT_EQ(info->user_host(), "user");
  EXPECT_EQ(info->find_host("user")->address, "198.18.0.26");
  auto p = info->topology->path("user", "www.someschool.edu");
  ASSERT_TRUE(p) << p.error();
  EXPECT_DOUBLE_EQ(p->rtt_ms, 202);
  EXPECT_EQ(p->return_rate_bps, 15'000'000u);
  ASSERT_EQ(info->ping.size(), 1u);
  EXPECT_EQ(info->ping[0].host, "ping.lab");
  EXPECT_DOUBLE_EQ(info->ping[0].loss, 0.3);

  // What an experiment computes its model on: the path from the user host, as lab.json gives it.
  auto basis = emulated_basis(*info, "www.someschool.edu");
  ASSERT_TRUE(basis);
  EXPECT_TRUE(basis->emulated);
  EXPECT_EQ(basis->from, "user");
  EXPECT_DOUBLE_EQ(basis->rtt_ms, 202);
  EXPECT_EQ(basis->rate_bps, 15'000'000u);
  EXPECT_NE(basis_text(*info, *basis).find("links (emulated): user → campus (100 Mbit/s"), std::string::npos)
      << basis_text(*info, *basis);
  const auto rows = rows_json({{"persistent", 2'000, 2'200, {}}, {"nothing to divide by", 0, 1, {}}});
  EXPECT_DOUBLE_EQ(rows[0].at("ratio").as_double(), 1.1);
  EXPECT_TRUE(rows[1].at("ratio").is_null());
  // On loopback there is no emulated path: the experiment measures instead.
  LabInfo loopback = *info;
  loopback.network = "loopback";
  std::string why;
  EXPECT_FALSE(emulated_basis(loopback, "www.someschool.edu", &why));
  EXPECT_EQ(why, "the lab runs on loopback");

  const std::string map = format_map(in);
  EXPECT_NE(map.find("network: emulated (test run)"), std::string::npos) << map;
  EXPECT_NE(map.find("Links (emulated"), std::string::npos) << map;
  EXPECT_NE(map.find("campus – internet"), std::string::npos) << map;
  EXPECT_NE(map.find("15 Mbit/s, 1 ms, queue 512 KiB"), std::string::npos) << map;
}

TEST(LabMap, SaysHowToConfigureAClient) {
  auto c = parse_config(default_config_toml(), "default", services());
  ASSERT_TRUE(c);
  auto plan = plan_addresses(*c, {PortMode::high, "test"}, services());
  ASSERT_TRUE(plan);
  MapInputs in;
  in.config = &*c;
  in.plan = &*plan;
  in.net = "127.20";
  in.state_dir = "/tmp/x";
  in.root_hints = "/tmp/x/zones/root.hints";
  in.log_file = "/tmp/x/lab.log";
  const std::string map = format_map(in);
  const std::string resolver = plan->host_with("resolver")->address;
  const std::string cache = plan->host_with("proxy")->address;
  EXPECT_NE(map.find("log:   /tmp/x/lab.log"), std::string::npos) << map;
  EXPECT_NE(map.find("root hints                   /tmp/x/zones/root.hints\n"), std::string::npos) << map;
  EXPECT_NE(map.find("export http_proxy=http://" + cache + ":23128/\n"), std::string::npos) << map;
  EXPECT_NE(map.find("nameserver " + resolver + "   (port 20053"), std::string::npos) << map;

  auto real = plan_addresses(*c, {PortMode::real, "test"}, services());
  ASSERT_TRUE(real);
  in.plan = &*real;
  EXPECT_NE(format_map(in).find("nameserver " + resolver + "\n"), std::string::npos);  // resolv.conf as is
}

TEST(LabMap, RejectsJsonWithoutTheLabsFields) {
  EXPECT_FALSE(parse_lab_json("[]"));
  EXPECT_FALSE(parse_lab_json("{\"pid\": 1}"));
  EXPECT_FALSE(parse_lab_json("not json"));
}

}  // namespace
}  // namespace endhost::lab
