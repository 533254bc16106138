#include "netem/topology.hpp"

#include <algorithm>
#include <limits>

#include "core/address_acl.hpp"

namespace endhost::netem {
namespace {

Unexpected<std::string> fail(std::string message) {
  return Unexpected<std::string>(std::move(message));
}

}  // namespace

Expected<Ipv4Prefix, std::string> Ipv4Prefix::parse(std::string_view text) {
  auto block = core::AddressBlock::parse(text);
  if (!block) return fail(block.error());
  if (block->v6) return fail("'" + std::string(text) + "' is not an IPv4 address or prefix");
  Ipv4Prefix p;
  p.network = static_cast<std::uint32_t>(block->network[0]) << 24 |
              static_cast<std::uint32_t>(block->network[1]) << 16 |
              static_cast<std::uint32_t>(block->network[2]) << 8 |
              static_cast<std::uint32_t>(block->network[3]);
  p.length = static_cast<std::uint8_t>(block->prefix);
  return p;
}

std::string Ipv4Prefix::to_string() const {
  return std::to_string(network >> 24) + "." + std::to_string(network >> 16 & 255) + "." +
         std::to_string(network >> 8 & 255) + "." + std::to_string(network & 255) + "/" +
         std::to_string(length);
}

Expected<NodeId, std::string> Topology::add_node(std::string name, NodeKind kind) {
  if (name.empty()) return fail("a node needs a name");
  if (find_node(name)) return fail("two nodes are named '" + name + "'");
  if (nodes_.size() >= max_nodes) return fail("more than " + std::to_string(max_nodes) + " nodes");
  nodes_.push_back({std::move(name), kind, {}});
  invalidate_routes();
  return NodeId(static_cast<std::uint32_t>(nodes_.size() - 1));
}

Expected<void, std::string> Topology::add_address(NodeId node, Ipv4Prefix prefix) {
  if (node.value() >= nodes_.size()) return fail("no such node");
  if (prefix.length > 32) return fail("an IPv4 prefix is at most 32 bits long");
  const std::uint32_t host_bits =
      prefix.length == 0 ? ~std::uint32_t{0} : ~(~std::uint32_t{0} << (32 - prefix.length));
  if (prefix.length < 32 && (prefix.network & host_bits) != 0)
    return fail(prefix.to_string() + " has host bits set");
  for (const auto& n : nodes_)
    for (const auto& owned : n.addresses)
      if (owned == prefix) return fail(prefix.to_string() + " is already owned by '" + n.name + "'");
  nodes_[node.value()].addresses.push_back(prefix);
  if (prefix.length == 32) {
    const auto at = std::lower_bound(exact_.begin(), exact_.end(), prefix.network,
                                     [](const auto& e, std::uint32_t a) { return e.first < a; });
    exact_.insert(at, {prefix.network, node});
  } else {
    const auto at = std::find_if(prefixes_.begin(), prefixes_.end(),
                                 [&](const auto& e) { return e.first.length < prefix.length; });
    prefixes_.insert(at, {prefix, node});
  }
  return {};
}

Expected<LinkId, std::string> Topology::add_link(NodeId a, NodeId b, LinkSpec a_to_b, LinkSpec b_to_a) {
  if (a.value() >= nodes_.size() || b.value() >= nodes_.size())
    return fail("a link names a node that does not exist");
  if (a == b) return fail("a link joins two different nodes ('" + nodes_[a.value()].name + "' twice)");
  if (links_.size() >= max_links) return fail("more than " + std::to_string(max_links) + " links");
  const std::string where = "link " + nodes_[a.value()].name + " - " + nodes_[b.value()].name + ": ";
  if (auto ok = a_to_b.validate(); !ok) return fail(where + ok.error());
  if (auto ok = b_to_a.validate(); !ok) return fail(where + ok.error());
  links_.push_back({a, b, std::move(a_to_b), std::move(b_to_a)});
  invalidate_routes();
  return LinkId(static_cast<std::uint32_t>(links_.size() - 1));
}

Expected<void, std::string> Topology::set_spec(LinkId link, Direction direction, LinkSpec spec) {
  if (link.value() >= links_.size()) return fail("no such link");
  if (auto ok = spec.validate(); !ok) return ok;
  Link& l = links_[link.value()];
  LinkSpec& target = direction == Direction::a_to_b ? l.a_to_b : l.b_to_a;
  // Routes follow delays only: a new rate or loss leaves them as they are.
  if (target.delay != spec.delay) invalidate_routes();
  target = std::move(spec);
  return {};
}

std::optional<NodeId> Topology::find_node(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name) return NodeId(static_cast<std::uint32_t>(i));
  return std::nullopt;
}

std::optional<LinkId> Topology::find_link(NodeId x, NodeId y) const {
  for (std::size_t i = 0; i < links_.size(); ++i)
    if ((links_[i].a == x && links_[i].b == y) || (links_[i].a == y && links_[i].b == x))
      return LinkId(static_cast<std::uint32_t>(i));
  return std::nullopt;
}

std::optional<NodeId> Topology::owner(std::uint32_t address) const {
  const auto it = std::lower_bound(exact_.begin(), exact_.end(), address,
                                   [](const auto& e, std::uint32_t a) { return e.first < a; });
  if (it != exact_.end() && it->first == address) return it->second;
  for (const auto& [prefix, node] : prefixes_)
    if (prefix.contains(address)) return node;
  return std::nullopt;
}

void Topology::invalidate_routes() const {
  routes_.assign(nodes_.size(), {});
}

const std::vector<Topology::Route>& Topology::routes_towards(NodeId destination) const {
  if (routes_.size() != nodes_.size()) routes_.assign(nodes_.size(), {});
  auto& routes = routes_[destination.value()];
  if (!routes.empty()) return routes;
  // Dijkstra towards `destination` over reversed directions, on the cost (total delay, hops). O(V·(V+E)),
  // which a lab's tens of nodes make nothing, and it runs once per destination.
  const std::size_t n = nodes_.size();
  constexpr auto inf = std::numeric_limits<std::int64_t>::max();
  std::vector<std::pair<std::int64_t, std::uint32_t>> cost(n, {inf, 0});
  std::vector<bool> settled(n, false);
  routes.assign(n, {});
  cost[destination.value()] = {0, 0};
  for (;;) {
    std::size_t u = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!settled[i] && cost[i].first != inf && (u == n || cost[i] < cost[u])) u = i;
    if (u == n) break;
    settled[u] = true;
    // Only a router forwards; a host is reachable but leads nowhere further.
    if (u != destination.value() && nodes_[u].kind != NodeKind::router) continue;
    for (std::size_t li = 0; li < links_.size(); ++li) {
      const Link& l = links_[li];
      for (const Direction d : {Direction::a_to_b, Direction::b_to_a}) {
        if (l.to(d).value() != u) continue;
        const std::size_t v = l.from(d).value();
        if (settled[v]) continue;
        const std::pair<std::int64_t, std::uint32_t> c{cost[u].first + l.spec(d).delay.count(),
                                                       cost[u].second + 1};
        if (c < cost[v]) {
          cost[v] = c;
          routes[v] = {true,
                       Hop{LinkId(static_cast<std::uint32_t>(li)), d, NodeId(static_cast<std::uint32_t>(u))}};
        }
      }
    }
  }
  return routes;
}

std::optional<Hop> Topology::next_hop(NodeId at, NodeId destination) const {
  if (at == destination || at.value() >= nodes_.size() || destination.value() >= nodes_.size())
    return std::nullopt;
  const Route& r = routes_towards(destination)[at.value()];
  if (!r.reachable) return std::nullopt;
  return r.hop;
}

std::optional<std::vector<Hop>> Topology::path(NodeId from, NodeId to) const {
  if (from.value() >= nodes_.size() || to.value() >= nodes_.size()) return std::nullopt;
  std::vector<Hop> hops;
  for (NodeId at = from; at != to;) {
    const auto hop = next_hop(at, to);
    if (!hop) return std::nullopt;
    hops.push_back(*hop);
    at = hop->to;
  }
  return hops;
}

std::optional<std::chrono::nanoseconds> Topology::path_delay(NodeId from, NodeId to) const {
  const auto hops = path(from, to);
  if (!hops) return std::nullopt;
  std::chrono::nanoseconds total{};
  for (const Hop& h : *hops) total += link(h.link).spec(h.direction).delay;
  return total;
}

}  // namespace endhost::netem
