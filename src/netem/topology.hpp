// Topology: the emulated network as a graph. Nodes are hosts (each one lab host, in its own namespace) and
// routers (a site's switch, the Internet's core: they only forward); each owns IPv4 addresses and prefixes.
// Links join two nodes, with a LinkSpec per direction.
//
// Routing: a packet from node S for address D goes to the node owning the longest prefix that holds D, along
// the path of least total one-way delay, ties to the fewest hops, then to the lowest link and node ids. Only
// routers forward: a path may start and end at a host but never pass through one. Routes are computed per
// destination (a shortest-path tree towards it, so every node's next hop agrees with every other's and
// hop-by-hop forwarding cannot loop), on first use, and cached until the graph or a link's delay changes.
// Not thread-safe: the cache is filled from const lookups.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "netem/ids.hpp"
#include "netem/link_spec.hpp"

namespace endhost::netem {

// An IPv4 prefix, in host byte order with its host bits clear.
struct Ipv4Prefix {
  std::uint32_t network = 0;
  std::uint8_t length = 32;

  // "198.18.0.1", "198.18.0.0/15". Host bits set after the prefix are refused (core::AddressBlock's rule).
  static Expected<Ipv4Prefix, std::string> parse(std::string_view text);
  bool contains(std::uint32_t address) const {
    return length == 0 || (address >> (32 - length)) == (network >> (32 - length));
  }
  std::string to_string() const;
  friend bool operator==(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};

enum class NodeKind : std::uint8_t { host, router };

struct Node {
  std::string name;
  NodeKind kind = NodeKind::host;
  std::vector<Ipv4Prefix> addresses;
};

struct Link {
  NodeId a, b;
  LinkSpec a_to_b, b_to_a;

  const LinkSpec& spec(Direction d) const { return d == Direction::a_to_b ? a_to_b : b_to_a; }
  NodeId from(Direction d) const { return d == Direction::a_to_b ? a : b; }
  NodeId to(Direction d) const { return d == Direction::a_to_b ? b : a; }
};

// One step of a path: which link, which way, and the node it reaches.
struct Hop {
  LinkId link;
  Direction direction = Direction::a_to_b;
  NodeId to;
  friend bool operator==(const Hop&, const Hop&) = default;
};

class Topology {
 public:
  // Limits: a lab is tens of nodes; these only stop a runaway configuration.
  static constexpr std::size_t max_nodes = 4096;
  static constexpr std::size_t max_links = 16384;

  // Names are unique and non-empty.
  Expected<NodeId, std::string> add_node(std::string name, NodeKind kind);
  // A prefix is owned by one node only.
  Expected<void, std::string> add_address(NodeId node, Ipv4Prefix prefix);
  // Between two different existing nodes; each spec is validated.
  Expected<LinkId, std::string> add_link(NodeId a, NodeId b, LinkSpec a_to_b, LinkSpec b_to_a);
  Expected<LinkId, std::string> add_link(NodeId a, NodeId b, const LinkSpec& both) {
    return add_link(a, b, both, both);
  }
  Expected<void, std::string> set_spec(LinkId link, Direction direction, LinkSpec spec);

  std::size_t node_count() const { return nodes_.size(); }
  std::size_t link_count() const { return links_.size(); }
  const Node& node(NodeId id) const { return nodes_[id.value()]; }
  const Link& link(LinkId id) const { return links_[id.value()]; }
  std::optional<NodeId> find_node(std::string_view name) const;
  // The first link between the two nodes, either way round.
  std::optional<LinkId> find_link(NodeId x, NodeId y) const;

  // The node owning the longest prefix that holds `address` (host byte order).
  std::optional<NodeId> owner(std::uint32_t address) const;

  // The first hop from `at` towards `destination`; nullopt when at == destination or it is unreachable.
  std::optional<Hop> next_hop(NodeId at, NodeId destination) const;
  // The whole path (empty when from == to); nullopt when unreachable. Allocates: for maps and tests.
  std::optional<std::vector<Hop>> path(NodeId from, NodeId to) const;
  // The sum of the one-way delays along path(from, to).
  std::optional<std::chrono::nanoseconds> path_delay(NodeId from, NodeId to) const;

 private:
  struct Route {
    bool reachable = false;
    Hop hop;
  };
  const std::vector<Route>& routes_towards(NodeId destination) const;
  void invalidate_routes() const;

  std::vector<Node> nodes_;
  std::vector<Link> links_;
  // Exact /32 owners sorted by address, then the shorter prefixes longest first.
  std::vector<std::pair<std::uint32_t, NodeId>> exact_;
  std::vector<std::pair<Ipv4Prefix, NodeId>> prefixes_;
  // routes_[d][n]: n's next hop towards d; an empty vector is not computed yet.
  mutable std::vector<std::vector<Route>> routes_;
};

}  // namespace endhost::netem
