// The lab's network at run time: every host and every group's router as a node with its address, every link
// with its figures per direction, ready to be translated one to one into the emulator's Topology (src/netem:
// a node per TopologyNode, a link per TopologyLink with a LinkSpec per direction from DirectionSpec). Also
// the path math the experiments' models use: for two hosts, the links between them, the one-way delay, the
// RTT, the bottleneck rate and the loss. Pure values and arithmetic: no sockets, no clock, no files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "lab/address_plan.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

// One direction of a link: what the emulator applies to the packets that cross it that way.
struct DirectionSpec {
  std::chrono::microseconds delay{0};   // propagation delay, added to every packet
  std::chrono::microseconds jitter{0};  // each packet's delay varies by up to ± this
  std::uint64_t rate_bps = 0;           // token-bucket rate; 0: unlimited
  // The drop-tail queue's limit in bytes (a queue given in packets: packets × kQueuePacketBytes).
  std::uint64_t queue_bytes = kDefaultQueueBytes;
  std::uint32_t queue_packets = 0;  // the queue as given in packets (0: given in bytes, or the default)
  LossModel loss;
  std::string trace;  // a packet-delivery trace file replacing rate_bps; "" none

  double delay_ms() const { return std::chrono::duration<double, std::milli>(delay).count(); }
  double jitter_ms() const { return std::chrono::duration<double, std::milli>(jitter).count(); }
  // "15 Mbit/s, 1 ms, loss 1%, queue 1 MiB": what the map and the experiments print.
  std::string describe() const;

  friend bool operator==(const DirectionSpec& a, const DirectionSpec& b) {
    return a.delay == b.delay && a.jitter == b.jitter && a.rate_bps == b.rate_bps &&
           a.queue_bytes == b.queue_bytes && a.queue_packets == b.queue_packets && a.trace == b.trace &&
           a.loss.kind == b.loss.kind && a.loss.p == b.loss.p && a.loss.r == b.loss.r &&
           a.loss.h == b.loss.h && a.loss.k == b.loss.k;
  }
};

// The figures as configured, resolved: unset fields take the defaults (no delay, unlimited rate, the default
// queue, no loss).
DirectionSpec resolve(const LinkFigures& figures);

struct TopologyNode {
  enum class Kind { host, router };
  std::string name;
  Kind kind = Kind::host;
  std::string address;  // a host's address in the lab's plan; a router's from the top of lab.subnet
  std::string site;     // the group a host is in ("" none); a router's own group
};

struct TopologyLink {
  std::size_t a = 0, b = 0;  // indices into TopologyPlan::nodes
  DirectionSpec a_to_b, b_to_a;
  bool lan = false;        // a host's attachment to its group's router ([[group]]), not a [[link]]
  std::uint32_t line = 0;  // the [[link]] or [[group]] it came from (0: none, the implicit LAN)
};

// The links between two nodes and what they add up to. Routes are symmetric (the reply crosses the same
// links backwards), chosen by least round-trip delay, then fewest links; hosts never forward.
struct PathFigures {
  std::vector<std::size_t> nodes;  // from, …, to
  struct Hop {
    std::size_t link = 0;
    bool forward = true;  // crossed a → b
  };
  std::vector<Hop> hops;
  double one_way_ms = 0;              // Σ delays, from → to
  double return_ms = 0;               // Σ delays, to → from
  double rtt_ms = 0;                  // one_way_ms + return_ms
  std::uint64_t rate_bps = 0;         // the bottleneck from → to: the least rate (0: no link limits it)
  std::uint64_t return_rate_bps = 0;  // the bottleneck to → from (a download's, when `from` asks)
  double loss = 0;                    // 1 − Π(1 − p) over the links, from → to
  double return_loss = 0;             // the same, to → from
  double round_trip_loss = 0;         // a request or its answer lost: 1 − (1 − loss)(1 − return_loss)
  bool emulated = false;              // the lab emulates these links (else they are only configured)
};

struct TopologyPlan {
  std::vector<TopologyNode> nodes;  // the hosts in configuration order, then the groups' routers
  std::vector<TopologyLink> links;  // each group's LAN links, then the [[link]]s, in the file's order
  std::string user_host;            // the node standing for the student's machine ("" none)
  bool implicit = false;            // the file has no network: one LAN "lab", no delay, no limits
  bool emulated = false;            // the lab runs these links (network = emulated), not just describes them

  std::optional<std::size_t> find(std::string_view name) const;
  // The path between two nodes by name; an error names the unknown node or says they are not connected.
  Expected<PathFigures, std::string> path(std::string_view from, std::string_view to) const;
  // "user → campus 100 Mbit/s 0 ms → internet 15 Mbit/s 1 ms → origins …": the path as the experiments print
  // it, one hop after the other with the figures of the direction crossed.
  std::string describe(const PathFigures& path) const;
};

// A topology error with the line of the [[group]], [[link]], [[host]] or [lab] it is about (0: unknown).
struct TopologyProblem {
  std::uint32_t line = 0;
  std::string message;
};

// Checks the network: groups and links name hosts or groups that exist, a host is in one group at most, no
// link joins a node to itself or repeats another, every figure is within its limits. Unless `mode` is
// loopback, the user host exists and every host can be reached from it.
Expected<void, TopologyProblem> validate_topology(const LabConfig& config, NetworkMode mode);

// The run-time plan: nodes with the plan's addresses (hosts' from `addresses`, routers' from
// addresses.routers), links with resolved figures. `config` must have passed validate(). Without a network
// in the file, one router "lab" with every host on a link of no delay and no limits.
TopologyPlan plan_topology(const LabConfig& config, const AddressPlan& addresses);

}  // namespace endhost::lab
