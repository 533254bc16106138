// The lab's network: [lab] network/subnet/user_host, [[group]] and [[link]] read strictly with file:line
// errors, the embedded default's Figure 2.12 topology, both address plans, and the topology plan's path math
// (route, delays, RTT, bottleneck, loss) that the experiments' models use.
#include <gtest/gtest.h>

#include <cmath>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/topology_plan.hpp"
#include "lab/topology_view.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

// A small lab: a campus LAN with the user and a resolver, an Internet router, a server behind 40 ms.
constexpr const char* kSmall = R"([lab]
net = "127.9"
network = "emulated"

[[host]]
name = "user"

[[host]]
name = "www.test"

[[host]]
name = "dns.test"
resolver = {}

[[host]]
name = "root.test"
dns.zones = ["."]

[[group]]
name = "campus"
hosts = ["user", "dns.test"]
rate = "100Mbit"

[[group]]
name = "internet"
hosts = []

[[link]]
a = "campus"
b = "internet"
rate = "15Mbit"
delay_ms = 1
loss = 0.01
b_to_a = { rate = "10Mbit" }

[[link]]
a = "internet"
b = "www.test"
delay_ms = 40
loss = 0.02

[[link]]
a = "internet"
b = "root.test"
delay_ms = 10
)";

Expected<LabConfig, std::string> parse(const std::string& text) {
  return parse_config(text, "t.toml", services());
}

// kSmall with `from` replaced by `to` (once).
std::string with(std::string_view from, std::string_view to) {
  std::string s = kSmall;
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

void expect_error(const std::string& text, std::string_view where, std::string_view what) {
  auto c = parse(text);
  ASSERT_FALSE(c) << "accepted:\n" << text;
  EXPECT_NE(c.error().find(where), std::string::npos) << c.error();
  EXPECT_NE(c.error().find(what), std::string::npos) << c.error();
}

TEST(LabTopologyConfig, ReadsNetworkGroupsAndLinks) {
  auto c = parse(kSmall);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->lab.network, NetworkMode::emulated);
  EXPECT_EQ(c->lab.subnet, "198.18.0.0/15");
  EXPECT_EQ(c->lab.user_host, "user");
  ASSERT_EQ(c->groups.size(), 2u);
  EXPECT_EQ(c->groups[0].hosts, (std::vector<std::string>{"user", "dns.test"}));
  EXPECT_EQ(*c->groups[0].lan.rate_bps, 100'000'000u);
  ASSERT_EQ(c->links.size(), 3u);
  EXPECT_EQ(*c->links[0].both.rate_bps, 15'000'000u);
  EXPECT_EQ(*c->links[0].b_to_a.rate_bps, 10'000'000u);
  EXPECT_FALSE(c->links[0].a_to_b.rate_bps);
  EXPECT_DOUBLE_EQ(c->links[0].both.loss->p, 0.01);
  EXPECT_EQ(c->links[1].line, 36u);
}

TEST(LabTopologyConfig, ParsesRatesQueuesAndLossModels) {
  EXPECT_EQ(*parse_rate("15Mbit"), 15'000'000u);
  EXPECT_EQ(*parse_rate("1.5Gbit/s"), 1'500'000'000u);
  EXPECT_EQ(*parse_rate("64kbit"), 64'000u);
  EXPECT_EQ(*parse_rate("2000000"), 2'000'000u);
  EXPECT_FALSE(parse_rate("15M"));  // megabytes or megabits? Refused.
  EXPECT_FALSE(parse_rate("fast"));
  EXPECT_EQ(*parse_queue_bytes("64KiB"), 65'536u);
  EXPECT_EQ(*parse_queue_bytes("1MiB"), 1u << 20);
  EXPECT_EQ(*parse_queue_bytes("100kB"), 100'000u);
  EXPECT_FALSE(parse_queue_bytes("64 parcels"));
  EXPECT_EQ(format_rate(15'000'000), "15 Mbit/s");
  EXPECT_EQ(format_rate(0), "unlimited");

  auto c =
      parse(with("loss = 0.02", "loss = { model = \"gilbert-elliott\", p = 0.01, r = 0.49 }\nqueue = 100"));
  ASSERT_TRUE(c) << c.error();
  const LossModel& ge = *c->links[1].both.loss;
  EXPECT_EQ(ge.kind, LossModel::Kind::gilbert_elliott);
  // π_bad = p/(p+r) = 0.02; every packet lost in the bad state (h = 0), none in the good (k = 1).
  EXPECT_NEAR(ge.mean(), 0.02, 1e-12);
  EXPECT_EQ(*c->links[1].both.queue_packets, 100u);
  LossModel lossy_good{LossModel::Kind::gilbert_elliott, 0.1, 0.4, 0.5, 0.9};
  EXPECT_NEAR(lossy_good.mean(), 0.1 * 0.8 + 0.5 * 0.2, 1e-12);
}

TEST(LabTopologyConfig, StrictErrorsNameTheLine) {
  expect_error(with("a = \"internet\"\nb = \"www.test\"", "a = \"internet\"\nb = \"www.nowhere\""),
               "t.toml:36:", "no host or group named www.nowhere");
  expect_error(with("hosts = []", "hosts = [\"user\"]"), "t.toml:", "user is already in group campus");
  expect_error(with("a = \"internet\"\nb = \"root.test\"", "a = \"internet\"\nb = \"internet\""),
               "t.toml:", "a link joins two different ends");
  expect_error(with("delay_ms = 40", "delay_ms = 20000"), "t.toml:39:", "delay_ms 20000 is outside 0");
  expect_error(with("rate = \"15Mbit\"", "rate = \"15Mbyte\""), "t.toml:", "unknown unit");
  expect_error(with("rate = \"15Mbit\"", "rate = \"200Gbit\""), "t.toml:", "is outside");
  expect_error(with("loss = 0.02", "loss = 1.5"), "t.toml:", "between 0 and 1");
  expect_error(with("loss = 0.02", "lost = 0.02"), "t.toml:", "unknown key 'lost'");
  expect_error(with("network = \"emulated\"", "network = \"tun\""), "t.toml:3:", "lab.network is 'tun'");
  expect_error(with("name = \"internet\"", "name = \"www.test\""), "t.toml:", "has the name of a host");
  expect_error(with("a = \"campus\"\nb = \"internet\"", "a = \"campus\"\nb = \"user\""),
               "t.toml:", "user is on group campus's LAN already");
  // Emulated, every host must be reachable from the user host.
  expect_error(
      with("[[link]]\na = \"internet\"\nb = \"root.test\"", "[[link]]\na = \"www.test\"\nb = \"root.test\""),
      "t.toml:15:", "host root.test cannot be reached from the user host user");
  expect_error(with("network = \"emulated\"", "network = \"emulated\"\nuser_host = \"me\""),
               "t.toml:4:", "lab.user_host: no host named me");
  // On loopback the links are only described: an unreachable host is not an error.
  EXPECT_TRUE(parse(with("network = \"emulated\"\n", "network = \"loopback\"\nuser_host = \"me\"\n")));
}

TEST(LabTopologyConfig, AddressesBelongToTheirModesRange) {
  expect_error(with("name = \"www.test\"", "name = \"www.test\"\naddress = \"127.9.0.50\""), "t.toml",
               "is not inside lab.subnet 198.18.0.0/15");
  EXPECT_TRUE(parse(with("name = \"www.test\"", "name = \"www.test\"\naddress = \"198.18.3.3\"")));
  expect_error(with("network = \"emulated\"", "network = \"emulated\"\nsubnet = \"10.0.0.1/8\""), "t.toml",
               "lab.subnet '10.0.0.1/8'");
  // Under "auto" an address may be of either range (it is the host's in that mode), but of one of them.
  EXPECT_TRUE(parse(with("network = \"emulated\"", "network = \"auto\"")));
  expect_error(with("name = \"www.test\"", "name = \"www.test\"\naddress = \"10.1.2.3\""), "t.toml",
               "is not inside lab.subnet");
}

TEST(LabTopologyPlan, BothAddressPlans) {
  auto c = parse(with("name = \"www.test\"", "name = \"www.test\"\naddress = \"198.18.3.3\""));
  ASSERT_TRUE(c) << c.error();
  auto loop = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::loopback, "t"});
  ASSERT_TRUE(loop) << loop.error();
  EXPECT_EQ(loop->find_host("user")->address, "127.9.0.1");
  EXPECT_EQ(loop->find_host("www.test")->address, "127.9.0.2");  // its address is the emulated plan's
  auto emu = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(emu) << emu.error();
  EXPECT_EQ(emu->find_host("user")->address, "198.18.0.1");
  EXPECT_EQ(emu->find_host("www.test")->address, "198.18.3.3");
  EXPECT_EQ(emu->find_host("dns.test")->address, "198.18.0.2");
  // Routers from the top of the subnet down, skipping .255.
  ASSERT_EQ(emu->routers.size(), 2u);
  EXPECT_EQ(emu->routers[0], (std::pair<std::string, std::string>{"campus", "198.19.255.254"}));
  EXPECT_EQ(emu->routers[1].second, "198.19.255.253");
  EXPECT_EQ(emu->subnet, "198.18.0.0/15");
}

TEST(LabTopologyPlan, PathFiguresAddUp) {
  auto c = parse(kSmall);
  ASSERT_TRUE(c) << c.error();
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(addresses);
  const TopologyPlan t = plan_topology(*c, *addresses);
  EXPECT_TRUE(t.emulated);
  EXPECT_EQ(t.user_host, "user");
  ASSERT_EQ(t.nodes.size(), 6u);  // 4 hosts, 2 routers
  EXPECT_EQ(t.nodes[4].name, "campus");
  EXPECT_EQ(t.nodes[4].kind, TopologyNode::Kind::router);
  EXPECT_EQ(t.nodes[0].site, "campus");
  // 2 LAN links (user, dns.test), then the three [[link]]s.
  ASSERT_EQ(t.links.size(), 5u);

  auto p = t.path("user", "www.test");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->hops.size(), 3u);  // user → campus → internet → www.test
  EXPECT_EQ(t.nodes[p->nodes[1]].name, "campus");
  EXPECT_EQ(t.nodes[p->nodes[2]].name, "internet");
  EXPECT_DOUBLE_EQ(p->one_way_ms, 41);
  EXPECT_DOUBLE_EQ(p->rtt_ms, 82);
  EXPECT_EQ(p->rate_bps, 15'000'000u);         // the access link up
  EXPECT_EQ(p->return_rate_bps, 10'000'000u);  // and down (b_to_a)
  EXPECT_NEAR(p->loss, 1 - 0.99 * 0.98, 1e-12);
  EXPECT_NEAR(p->round_trip_loss, 1 - std::pow(0.99 * 0.98, 2), 1e-12);
  EXPECT_NE(t.describe(*p).find("internet (15 Mbit/s, 1 ms, loss 1%"), std::string::npos) << t.describe(*p);

  // The reverse path crosses the same links the other way.
  auto back = t.path("www.test", "user");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rate_bps, 10'000'000u);
  EXPECT_DOUBLE_EQ(back->rtt_ms, 82);

  // Hosts do not forward: root.test and www.test meet at the internet router.
  auto across = t.path("www.test", "root.test");
  ASSERT_TRUE(across);
  EXPECT_DOUBLE_EQ(across->rtt_ms, 100);
  EXPECT_EQ(across->hops.size(), 2u);
  EXPECT_FALSE(t.path("user", "nobody"));
  auto self = t.path("user", "user");
  ASSERT_TRUE(self);
  EXPECT_EQ(self->rtt_ms, 0);
}

TEST(LabTopologyPlan, AHostNoGroupOrLinkNamesJoinsTheUsersLan) {
  auto c = parse(std::string(kSmall) + "\n[[host]]\nname = \"new.test\"\n");
  ASSERT_TRUE(c) << c.error();
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(addresses);
  const TopologyPlan t = plan_topology(*c, *addresses);
  EXPECT_EQ(t.nodes[*t.find("new.test")].site, "campus");
  auto p = t.path("user", "new.test");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->hops.size(), 2u);
  EXPECT_EQ(p->rate_bps, 100'000'000u);
}

TEST(LabTopologyPlan, ShortestRoundTripWins) {
  // Two ways from a to c: through r1 (10 + 10 ms) and straight (30 ms): the first.
  auto c = parse(R"([lab]
network = "emulated"
user_host = "a"
[[host]]
name = "a"
[[host]]
name = "c"
[[group]]
name = "r1"
[[link]]
a = "a"
b = "r1"
delay_ms = 10
[[link]]
a = "r1"
b = "c"
delay_ms = 10
[[link]]
a = "a"
b = "c"
delay_ms = 30
)");
  ASSERT_TRUE(c) << c.error();
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(addresses);
  const TopologyPlan t = plan_topology(*c, *addresses);
  auto p = t.path("a", "c");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->hops.size(), 2u);
  EXPECT_DOUBLE_EQ(p->rtt_ms, 40);
}

TEST(LabTopologyPlan, WithoutANetworkEveryHostIsOnOneLan) {
  auto c = parse("[[host]]\nname = \"a.test\"\n[[host]]\nname = \"b.test\"\n");
  ASSERT_TRUE(c) << c.error();
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services());
  ASSERT_TRUE(addresses);
  const TopologyPlan t = plan_topology(*c, *addresses);
  EXPECT_TRUE(t.implicit);
  EXPECT_FALSE(t.emulated);
  auto p = t.path("a.test", "b.test");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rtt_ms, 0);
  EXPECT_EQ(p->rate_bps, 0u);
  EXPECT_EQ(format_links(t), "");
}

TEST(LabTopologyPlan, TheDefaultIsFigure212) {
  auto c = parse_config(default_config_toml(), "default", services());
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->lab.network, NetworkMode::automatic);
  // The new user host is last: every other host keeps its loopback address.
  EXPECT_EQ(c->hosts.back().name, "user");
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(addresses) << addresses.error();
  const TopologyPlan t = plan_topology(*c, *addresses);
  for (const auto& h : c->hosts) EXPECT_TRUE(t.path("user", h.name)) << h.name;
  auto web = t.path("user", "www.someschool.edu");
  ASSERT_TRUE(web);
  EXPECT_EQ(web->return_rate_bps, 15'000'000u);  // the access link is the bottleneck
  EXPECT_DOUBLE_EQ(web->rtt_ms, 2 * (1 + 100));  // the access link and the Internet delay
  auto cache = t.path("user", "cache.someschool.edu");
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->rate_bps, 100'000'000u);  // the LAN
  auto root = t.path("dns.nyu.edu", "a.root-servers.net");
  ASSERT_TRUE(root);
  EXPECT_GE(root->rtt_ms, 20);  // tens of ms
  EXPECT_NE(format_links(t).find("campus – internet"), std::string::npos) << format_links(t);
}

TEST(LabTopologyPlan, JsonRoundTrip) {
  auto c = parse(kSmall);
  ASSERT_TRUE(c);
  auto addresses = plan_addresses(*c, {PortMode::high, "t"}, services(), {NetworkMode::emulated, "t"});
  ASSERT_TRUE(addresses);
  const TopologyPlan t = plan_topology(*c, *addresses);
  auto back = topology_from_json(boost::json::value(topology_json(t)));
  ASSERT_TRUE(back) << back.error();
  ASSERT_EQ(back->nodes.size(), t.nodes.size());
  ASSERT_EQ(back->links.size(), t.links.size());
  for (std::size_t i = 0; i < t.links.size(); ++i) {
    EXPECT_TRUE(back->links[i].a_to_b == t.links[i].a_to_b) << i;
    EXPECT_TRUE(back->links[i].b_to_a == t.links[i].b_to_a) << i;
  }
  auto p = back->path("user", "www.test");
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->rtt_ms, 82);
}

TEST(LabTopologyPlan, ChoosingTheNetwork) {
  EXPECT_EQ(choose_network(NetworkMode::automatic, true, "root")->mode, NetworkMode::emulated);
  auto loop = choose_network(NetworkMode::automatic, false, "no CAP_NET_ADMIN");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->mode, NetworkMode::loopback);
  EXPECT_NE(loop->reason.find("links are not emulated: no CAP_NET_ADMIN"), std::string::npos);
  EXPECT_FALSE(choose_network(NetworkMode::emulated, false, "no CAP_NET_ADMIN"));
  EXPECT_EQ(choose_network(NetworkMode::loopback, true, "root")->mode, NetworkMode::loopback);
}

}  // namespace
}  // namespace endhost::lab
