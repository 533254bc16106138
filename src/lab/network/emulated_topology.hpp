// The lab's topology plan (topology_plan.hpp) as the emulator's Topology (src/netem), one to one: node i of
// the plan is NodeId i (hosts and routers, each owning its address as a /32), link j is LinkId j with each
// direction's DirectionSpec as a netem::LinkSpec. A delivery trace named by a link is read here (the
// emulator reads no files). Errors name the link.
#pragma once

#include <string>

#include "core/expected.hpp"
#include "lab/topology_plan.hpp"
#include "netem/link_spec.hpp"
#include "netem/topology.hpp"

namespace endhost::lab {

// One direction's figures as the emulator takes them; `trace_dir` resolves a relative trace file name.
Expected<netem::LinkSpec, std::string> link_spec(const DirectionSpec& spec, const std::string& trace_dir);

Expected<netem::Topology, std::string> emulated_topology(const TopologyPlan& plan,
                                                         const std::string& trace_dir);

}  // namespace endhost::lab
