#include "lab/network/emulated_topology.hpp"

#include <fmt/format.h>

#include <memory>

#include "lab/address_plan.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

namespace {

// A Mahimahi trace of a few hours at 100 Mbit/s is tens of MB of text; more is a mistake.
constexpr std::size_t kMaxTraceFileBytes = 256u << 20;

}  // namespace

Expected<netem::LinkSpec, std::string> link_spec(const DirectionSpec& d, const std::string& trace_dir) {
  netem::LinkSpec s;
  s.delay = d.delay;
  s.jitter = d.jitter;
  s.rate_bps = d.rate_bps;
  s.queue_bytes = static_cast<std::size_t>(d.queue_bytes);
  if (d.loss.kind == LossModel::Kind::gilbert_elliott) {
    // topology_config.hpp's h and k are the chances a packet gets through in each state; netem's are losses.
    s.loss = netem::LossSpec::gilbert_elliott(d.loss.p, d.loss.r, 1 - d.loss.k, 1 - d.loss.h);
  } else if (d.loss.p > 0) {
    s.loss = netem::LossSpec::bernoulli(d.loss.p);
  }
  if (!d.trace.empty()) {
    const std::string path = d.trace.front() == '/' ? d.trace : trace_dir + "/" + d.trace;
    auto text = read_small_file(path, kMaxTraceFileBytes);
    if (!text) return Unexpected("its trace " + path + ": " + text.error());
    auto trace = netem::parse_mahimahi_trace(*text);
    if (!trace) return Unexpected("its trace " + path + ": " + trace.error());
    s.trace = std::make_shared<const netem::DeliveryTrace>(std::move(*trace));
    s.rate_bps = 0;
  }
  if (auto ok = s.validate(); !ok) return Unexpected(ok.error());
  return s;
}

Expected<netem::Topology, std::string> emulated_topology(const TopologyPlan& plan,
                                                         const std::string& trace_dir) {
  netem::Topology t;
  for (const TopologyNode& n : plan.nodes) {
    auto id = t.add_node(
        n.name, n.kind == TopologyNode::Kind::router ? netem::NodeKind::router : netem::NodeKind::host);
    if (!id) return Unexpected(fmt::format("node {}: {}", n.name, id.error()));
    // The implicit LAN's router has no address (nothing is sent to it; it only forwards).
    if (n.address.empty() && n.kind == TopologyNode::Kind::router) continue;
    const auto address = parse_ipv4(n.address);
    if (!address) return Unexpected(fmt::format("node {}: {} is not an IPv4 address", n.name, n.address));
    if (auto ok = t.add_address(*id, netem::Ipv4Prefix{*address, 32}); !ok)
      return Unexpected(fmt::format("node {}: {}", n.name, ok.error()));
  }
  for (const TopologyLink& l : plan.links) {
    const std::string name = plan.nodes[l.a].name + " <-> " + plan.nodes[l.b].name;
    auto ab = link_spec(l.a_to_b, trace_dir);
    if (!ab) return Unexpected(fmt::format("link {}: {}", name, ab.error()));
    auto ba = link_spec(l.b_to_a, trace_dir);
    if (!ba) return Unexpected(fmt::format("link {}: {}", name, ba.error()));
    auto id = t.add_link(netem::NodeId(static_cast<std::uint32_t>(l.a)),
                         netem::NodeId(static_cast<std::uint32_t>(l.b)), std::move(*ab), std::move(*ba));
    if (!id) return Unexpected(fmt::format("link {}: {}", name, id.error()));
  }
  return t;
}

}  // namespace endhost::lab
