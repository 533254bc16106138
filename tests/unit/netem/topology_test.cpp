#include "netem/topology.hpp"

#include <gtest/gtest.h>

#include "packets.hpp"

namespace endhost::netem {
namespace {

using namespace std::chrono_literals;
using test::ip;

LinkSpec delay(std::chrono::nanoseconds d) {
  LinkSpec s;
  s.delay = d;
  return s;
}

TEST(Ipv4Prefix, ParsesAddressesAndPrefixes) {
  auto p = Ipv4Prefix::parse("198.18.0.0/15");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->network, ip(198, 18, 0, 0));
  EXPECT_EQ(p->length, 15);
  EXPECT_TRUE(p->contains(ip(198, 19, 255, 255)));
  EXPECT_FALSE(p->contains(ip(198, 20, 0, 0)));
  EXPECT_EQ(p->to_string(), "198.18.0.0/15");
  auto host = Ipv4Prefix::parse("10.1.2.3");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->length, 32);
  EXPECT_FALSE(Ipv4Prefix::parse("10.1.2.3/8"));
  EXPECT_FALSE(Ipv4Prefix::parse("2001:db8::/32"));
  EXPECT_TRUE(Ipv4Prefix::parse("0.0.0.0/0")->contains(ip(1, 2, 3, 4)));
}

TEST(Topology, RefusesBadGraphs) {
  Topology t;
  const NodeId a = *t.add_node("a", NodeKind::host);
  EXPECT_EQ(t.add_node("a", NodeKind::router).error(), "two nodes are named 'a'");
  EXPECT_FALSE(t.add_node("", NodeKind::host));
  EXPECT_FALSE(t.add_link(a, a, LinkSpec{}));
  const NodeId b = *t.add_node("b", NodeKind::host);
  LinkSpec bad;
  bad.jitter = -1ms;
  EXPECT_EQ(t.add_link(a, b, bad).error(), "link a - b: jitter must not be negative");
  ASSERT_TRUE(t.add_address(a, *Ipv4Prefix::parse("10.0.0.1")));
  EXPECT_EQ(t.add_address(b, *Ipv4Prefix::parse("10.0.0.1")).error(), "10.0.0.1/32 is already owned by 'a'");
  EXPECT_FALSE(t.add_address(b, Ipv4Prefix{ip(10, 0, 0, 1), 24}));
  EXPECT_FALSE(t.add_address(NodeId(7), *Ipv4Prefix::parse("10.0.0.2")));
}

TEST(Topology, TheLongestPrefixOwnsAnAddress) {
  Topology t;
  const NodeId h = *t.add_node("h", NodeKind::host);
  const NodeId site = *t.add_node("site", NodeKind::router);
  const NodeId core = *t.add_node("core", NodeKind::router);
  ASSERT_TRUE(t.add_address(core, *Ipv4Prefix::parse("0.0.0.0/0")));
  ASSERT_TRUE(t.add_address(site, *Ipv4Prefix::parse("198.18.0.0/15")));
  ASSERT_TRUE(t.add_address(h, *Ipv4Prefix::parse("198.18.0.7")));
  EXPECT_EQ(t.owner(ip(198, 18, 0, 7)), h);
  EXPECT_EQ(t.owner(ip(198, 18, 0, 8)), site);
  EXPECT_EQ(t.owner(ip(8, 8, 8, 8)), core);
  EXPECT_EQ(t.find_node("site"), site);
  EXPECT_FALSE(t.find_node("nope"));
}

// a and b hosts; r1 and r2 routers. a–b direct 10 ms; a–r1 2 ms, r1–b 3 ms.
struct Triangle {
  Topology t;
  NodeId a, b, r1;
  LinkId ab, ar1, r1b;
  explicit Triangle(NodeKind middle = NodeKind::router) {
    a = *t.add_node("a", NodeKind::host);
    b = *t.add_node("b", NodeKind::host);
    r1 = *t.add_node("r1", middle);
    ab = *t.add_link(a, b, delay(10ms));
    ar1 = *t.add_link(a, r1, delay(2ms));
    r1b = *t.add_link(r1, b, delay(3ms));
  }
};

TEST(Topology, ThePathOfLeastDelayWins) {
  Triangle g;
  const auto p = g.t.path(g.a, g.b);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0], (Hop{g.ar1, Direction::a_to_b, g.r1}));
  EXPECT_EQ((*p)[1], (Hop{g.r1b, Direction::a_to_b, g.b}));
  EXPECT_EQ(g.t.path_delay(g.a, g.b), 5ms);
  // Back the other way: the same links in the b-to-a direction.
  const auto back = g.t.path(g.b, g.a);
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0], (Hop{g.r1b, Direction::b_to_a, g.r1}));
  EXPECT_EQ(g.t.path(g.a, g.a)->size(), 0u);
}

TEST(Topology, AHostDoesNotForward) {
  Triangle g(NodeKind::host);
  EXPECT_EQ(g.t.path(g.a, g.b)->size(), 1u);
  EXPECT_EQ(g.t.path_delay(g.a, g.b), 10ms);
}

TEST(Topology, EqualDelaysGoToTheFewestHops) {
  Triangle g;
  ASSERT_TRUE(
      g.t.set_spec(g.r1b, Direction::a_to_b, delay(8ms)));  // via r1: 2 + 8 = 10 ms, like the direct link
  EXPECT_EQ(g.t.path(g.a, g.b)->size(), 1u);
  // Only the a-to-b direction changed: b to a still goes through r1.
  EXPECT_EQ(g.t.path(g.b, g.a)->size(), 2u);
}

TEST(Topology, ADelayChangeRecomputesTheCachedRoutes) {
  Triangle g;
  EXPECT_EQ(g.t.next_hop(g.a, g.b)->link, g.ar1);
  ASSERT_TRUE(g.t.set_spec(g.ar1, Direction::a_to_b, delay(20ms)));
  EXPECT_EQ(g.t.next_hop(g.a, g.b)->link, g.ab);
  EXPECT_FALSE(g.t.set_spec(g.ar1, Direction::a_to_b, delay(-1ms)));
  EXPECT_EQ(g.t.link(g.ar1).a_to_b.delay, 20ms);
}

TEST(Topology, DisconnectedNodesHaveNoRoute) {
  Triangle g;
  const NodeId island = *g.t.add_node("island", NodeKind::host);
  EXPECT_FALSE(g.t.path(g.a, island));
  EXPECT_FALSE(g.t.next_hop(g.a, island));
  EXPECT_EQ(g.t.find_link(g.b, g.a), g.ab);
  EXPECT_FALSE(g.t.find_link(g.a, island));
}

}  // namespace
}  // namespace endhost::netem
