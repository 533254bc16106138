// The lab's network as people and programs see it: the map's "Links" section (each group's LAN and each link
// with its figures per direction) and lab.json's "topology" object, which topology_from_json reads back into
// the same TopologyPlan, so that `endhost lab experiment` computes its models from the figures the lab runs.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/expected.hpp"
#include "lab/topology_plan.hpp"

namespace endhost::lab {

// The map's section: "Links (emulated):" or "Links (described, not emulated: …):", then a line per group LAN
// and per link. Empty for the implicit network of a file that describes none.
std::string format_links(const TopologyPlan& topology);

// lab.json "topology": user_host, implicit, emulated, nodes[] (name, kind host/router, address, site),
// sites[] (name, address, hosts[]) and links[] (a, b, lan, line, text, a_to_b and b_to_a: delay_ms,
// jitter_ms, rate_bps, queue_bytes, queue_packets, loss {model, p, r, h, k, mean}, trace).
boost::json::object topology_json(const TopologyPlan& topology);
Expected<TopologyPlan, std::string> topology_from_json(const boost::json::value& value);

}  // namespace endhost::lab
