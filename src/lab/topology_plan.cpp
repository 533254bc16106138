#include "lab/topology_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <set>

namespace endhost::lab {

namespace {

using Problem = Unexpected<TopologyProblem>;

constexpr const char* kImplicitRouter = "lan";

std::chrono::microseconds micros(double ms) {
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(ms * 1000)));
}

std::string figures_problem(const LinkConfig& l) {
  for (const LinkFigures* f : {&l.both, &l.a_to_b, &l.b_to_a}) {
    if (auto why = figures_error(*f); !why.empty()) return why;
  }
  for (const LinkFigures& f : {l.both.merged(l.a_to_b), l.both.merged(l.b_to_a)}) {
    if (auto why = figures_error(f); !why.empty()) return why;
  }
  return {};
}

// Adjacency for routing: for each node, its links. Hosts are leaves for routing purposes: a path never
// goes through a host it does not start or end at.
struct Graph {
  std::vector<std::vector<std::size_t>> links_of;
  explicit Graph(const TopologyPlan& t) : links_of(t.nodes.size()) {
    for (std::size_t i = 0; i < t.links.size(); ++i) {
      links_of[t.links[i].a].push_back(i);
      links_of[t.links[i].b].push_back(i);
    }
  }
};

// Each host's group: the one that lists it, and for a host that no [[group]] or [[link]] names, the user
// host's group (so that a host added to a file joins the user's LAN rather than being cut off).
std::map<std::string, std::string> host_groups(const LabConfig& c) {
  std::map<std::string, std::string> out;
  for (const GroupConfig& g : c.groups) {
    for (const std::string& h : g.hosts) out.emplace(h, g.name);
  }
  auto user = out.find(c.lab.user_host);
  if (user == out.end()) return out;
  const std::string home = user->second;
  std::set<std::string> linked;
  for (const LinkConfig& l : c.links) {
    linked.insert(l.a);
    linked.insert(l.b);
  }
  for (const HostConfig& h : c.hosts) {
    if (!out.count(h.name) && !linked.count(h.name)) out.emplace(h.name, home);
  }
  return out;
}

}  // namespace

std::string DirectionSpec::describe() const {
  std::string out = trace.empty() ? format_rate(rate_bps) : "trace " + trace;
  out += fmt::format(", {:g} ms", delay_ms());
  if (jitter.count()) out += fmt::format(" ± {:g} ms", jitter_ms());
  if (!loss.lossless()) out += ", loss " + format_loss(loss);
  out += ", queue " + format_queue(queue_bytes, queue_packets);
  return out;
}

DirectionSpec resolve(const LinkFigures& f) {
  DirectionSpec d;
  d.delay = micros(f.delay_ms.value_or(0));
  d.jitter = micros(f.jitter_ms.value_or(0));
  d.rate_bps = f.rate_bps.value_or(0);
  if (f.queue_packets) {
    d.queue_packets = *f.queue_packets;
    d.queue_bytes = std::uint64_t{*f.queue_packets} * kQueuePacketBytes;
  } else if (f.queue_bytes) {
    d.queue_bytes = *f.queue_bytes;
  }
  if (f.loss) d.loss = *f.loss;
  if (f.trace) d.trace = *f.trace;
  return d;
}

std::optional<std::size_t> TopologyPlan::find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

Expected<PathFigures, std::string> TopologyPlan::path(std::string_view from, std::string_view to) const {
  auto src = find(from);
  auto dst = find(to);
  if (!src) return Unexpected(fmt::format("no host or group named {} in the lab's network", from));
  if (!dst) return Unexpected(fmt::format("no host or group named {} in the lab's network", to));
  // Dijkstra on (round-trip delay, links): small graphs, so a plain priority queue is plenty.
  using Cost = std::pair<std::int64_t, std::size_t>;
  const Cost infinite{std::numeric_limits<std::int64_t>::max(), 0};
  std::vector<Cost> best(nodes.size(), infinite);
  std::vector<std::optional<PathFigures::Hop>> via(nodes.size());
  Graph g(*this);
  std::priority_queue<std::pair<Cost, std::size_t>, std::vector<std::pair<Cost, std::size_t>>, std::greater<>>
      open;
  best[*src] = {0, 0};
  open.push({best[*src], *src});
  while (!open.empty()) {
    auto [cost, n] = open.top();
    open.pop();
    if (cost != best[n]) continue;
    if (n == *dst) break;
    if (n != *src && nodes[n].kind == TopologyNode::Kind::host) continue;  // hosts do not forward
    for (std::size_t li : g.links_of[n]) {
      const TopologyLink& l = links[li];
      const bool forward = l.a == n;
      const std::size_t m = forward ? l.b : l.a;
      Cost next{cost.first + (l.a_to_b.delay + l.b_to_a.delay).count(), cost.second + 1};
      if (next < best[m]) {
        best[m] = next;
        via[m] = PathFigures::Hop{li, forward};
        open.push({next, m});
      }
    }
  }
  if (best[*dst] == infinite)
    return Unexpected(fmt::format("{} cannot reach {}: no links join them", from, to));

  PathFigures p;
  p.emulated = emulated;
  for (std::size_t n = *dst; n != *src;) {
    const PathFigures::Hop hop = *via[n];
    p.hops.push_back(hop);
    p.nodes.push_back(n);
    n = hop.forward ? links[hop.link].a : links[hop.link].b;
  }
  p.nodes.push_back(*src);
  std::reverse(p.hops.begin(), p.hops.end());
  std::reverse(p.nodes.begin(), p.nodes.end());
  double kept = 1, kept_back = 1;
  for (const auto& hop : p.hops) {
    const TopologyLink& l = links[hop.link];
    const DirectionSpec& there = hop.forward ? l.a_to_b : l.b_to_a;
    const DirectionSpec& back = hop.forward ? l.b_to_a : l.a_to_b;
    p.one_way_ms += there.delay_ms();
    p.return_ms += back.delay_ms();
    if (there.rate_bps && (p.rate_bps == 0 || there.rate_bps < p.rate_bps)) p.rate_bps = there.rate_bps;
    if (back.rate_bps && (p.return_rate_bps == 0 || back.rate_bps < p.return_rate_bps))
      p.return_rate_bps = back.rate_bps;
    kept *= 1 - there.loss.mean();
    kept_back *= 1 - back.loss.mean();
  }
  p.rtt_ms = p.one_way_ms + p.return_ms;
  p.loss = 1 - kept;
  p.return_loss = 1 - kept_back;
  p.round_trip_loss = 1 - kept * kept_back;
  return p;
}

std::string TopologyPlan::describe(const PathFigures& p) const {
  if (p.nodes.empty()) return {};
  std::string out = nodes[p.nodes.front()].name;
  for (std::size_t i = 0; i < p.hops.size(); ++i) {
    const TopologyLink& l = links[p.hops[i].link];
    const DirectionSpec& d = p.hops[i].forward ? l.a_to_b : l.b_to_a;
    out += fmt::format(" → {} ({})", nodes[p.nodes[i + 1]].name, d.describe());
  }
  return out;
}

Expected<void, TopologyProblem> validate_topology(const LabConfig& c, NetworkMode mode) {
  if (c.groups.size() > kMaxGroups) {
    return Problem({0, fmt::format("{} groups, more than the limit of {}", c.groups.size(), kMaxGroups)});
  }
  if (c.links.size() > kMaxLinks) {
    return Problem({0, fmt::format("{} links, more than the limit of {}", c.links.size(), kMaxLinks)});
  }
  std::map<std::string, std::string> group_of;  // host → its group
  std::set<std::string> group_names;
  for (const GroupConfig& g : c.groups) {
    if (g.name.empty()) return Problem({g.line, "a [[group]] without a name: add name = \"campus\""});
    if (!group_names.insert(g.name).second)
      return Problem({g.line, fmt::format("group {} is defined twice: merge its hosts", g.name)});
    if (c.find_host(g.name)) {
      return Problem({g.line, fmt::format("group {} has the name of a host: a link could not tell them "
                                          "apart; rename the group",
                                          g.name)});
    }
    for (const std::string& h : g.hosts) {
      if (!c.find_host(h)) {
        return Problem(
            {g.line, fmt::format("group {}: no host named {} (hosts are the [[host]] names)", g.name, h)});
      }
      auto [it, fresh] = group_of.emplace(h, g.name);
      if (!fresh) {
        return Problem(
            {g.line, fmt::format("group {}: host {} is already in group {}: a host is in one group "
                                 "at most (join others with a [[link]])",
                                 g.name, h, it->second)});
      }
    }
    if (auto why = figures_error(g.lan); !why.empty())
      return Problem({g.line, fmt::format("group {}: {}", g.name, why)});
  }
  std::set<std::pair<std::string, std::string>> pairs;
  for (const LinkConfig& l : c.links) {
    const std::string where = fmt::format("link {} – {}", l.a, l.b);
    for (const std::string* end : {&l.a, &l.b}) {
      if (end->empty()) return Problem({l.line, "a [[link]] needs both ends: a = \"…\" and b = \"…\""});
      if (!c.find_host(*end) && !group_names.count(*end)) {
        return Problem({l.line, fmt::format("{}: no host or group named {}", where, *end)});
      }
    }
    if (l.a == l.b) return Problem({l.line, fmt::format("{}: a link joins two different ends", where)});
    for (auto [h, g] : {std::pair{&l.a, &l.b}, std::pair{&l.b, &l.a}}) {
      auto it = group_of.find(*h);
      if (it != group_of.end() && it->second == *g) {
        return Problem({l.line, fmt::format("{}: {} is on group {}'s LAN already: set the group's figures "
                                            "instead",
                                            where, *h, *g)});
      }
    }
    if (!pairs.insert(std::minmax(l.a, l.b)).second)
      return Problem({l.line, fmt::format("{}: the two ends are joined twice: merge the links", where)});
    if (auto why = figures_problem(l); !why.empty())
      return Problem({l.line, fmt::format("{}: {}", where, why)});
  }
  if (mode == NetworkMode::loopback || !c.has_topology()) return {};

  // Emulated (or perhaps): the user's machine must reach every host, or some experiment or command of the
  // map would hang on a host that no packet can get to.
  const HostConfig* user = c.find_host(c.lab.user_host);
  if (!user) {
    return Problem({c.lab.user_host_line,
                    fmt::format("lab.user_host: no host named {} (the host standing for your machine: add a "
                                "[[host]] name = \"{}\" to a group, or name another host)",
                                c.lab.user_host, c.lab.user_host)});
  }
  // Reachability over the same graph as routing: hosts do not forward.
  std::map<std::string, std::vector<std::string>> next;
  for (const auto& [h, g] : host_groups(c)) {
    next[h].push_back(g);
    next[g].push_back(h);
  }
  for (const LinkConfig& l : c.links) {
    next[l.a].push_back(l.b);
    next[l.b].push_back(l.a);
  }
  std::set<std::string> seen{user->name};
  std::vector<std::string> todo{user->name};
  while (!todo.empty()) {
    std::string n = std::move(todo.back());
    todo.pop_back();
    if (n != user->name && c.find_host(n)) continue;
    for (const std::string& m : next[n]) {
      if (seen.insert(m).second) todo.push_back(m);
    }
  }
  for (const HostConfig& h : c.hosts) {
    if (!seen.count(h.name)) {
      return Problem({h.line, fmt::format("host {} cannot be reached from the user host {}: put it in a "
                                          "[[group]] or give it a [[link]]",
                                          h.name, user->name)});
    }
  }
  return {};
}

TopologyPlan plan_topology(const LabConfig& c, const AddressPlan& addresses) {
  TopologyPlan t;
  t.emulated = addresses.network.mode == NetworkMode::emulated;
  t.user_host = c.find_host(c.lab.user_host) ? c.lab.user_host : std::string();
  const std::map<std::string, std::string> group_of = host_groups(c);
  for (const PlannedHost& h : addresses.hosts) {
    auto it = group_of.find(h.name);
    t.nodes.push_back({h.name, TopologyNode::Kind::host, h.address, it == group_of.end() ? "" : it->second});
  }
  if (!c.has_topology()) {
    t.implicit = true;
    const std::string router = c.find_host(kImplicitRouter) ? std::string(kImplicitRouter) + "-router"
                                                            : std::string(kImplicitRouter);
    const std::size_t r = t.nodes.size();
    t.nodes.push_back({router, TopologyNode::Kind::router, "", router});
    for (std::size_t i = 0; i < r; ++i) {
      t.nodes[i].site = router;
      t.links.push_back({i, r, DirectionSpec{}, DirectionSpec{}, true, 0});
    }
    return t;
  }
  for (const auto& [name, address] : addresses.routers)
    t.nodes.push_back({name, TopologyNode::Kind::router, address, name});
  for (const GroupConfig& g : c.groups) {
    const std::size_t r = *t.find(g.name);
    const DirectionSpec lan = resolve(g.lan);
    for (const std::string& h : g.hosts) t.links.push_back({*t.find(h), r, lan, lan, true, g.line});
    // The hosts that joined it for want of a place (host_groups), after its own, in host order.
    for (const HostConfig& h : c.hosts) {
      auto it = group_of.find(h.name);
      if (it != group_of.end() && it->second == g.name &&
          std::find(g.hosts.begin(), g.hosts.end(), h.name) == g.hosts.end())
        t.links.push_back({*t.find(h.name), r, lan, lan, true, g.line});
    }
  }
  for (const LinkConfig& l : c.links) {
    t.links.push_back({*t.find(l.a), *t.find(l.b), resolve(l.both.merged(l.a_to_b)),
                       resolve(l.both.merged(l.b_to_a)), false, l.line});
  }
  return t;
}

}  // namespace endhost::lab
