// `endhost lab exec HOST -- COMMAND…`: a command inside one host's network namespace of the running lab, as
// Mininet's `h1 ping h2`, with the lab's resolver as its DNS (/etc/netns/<ns>/resolv.conf, which
// `ip netns exec` bind-mounts over /etc/resolv.conf). The lab is found as `endhost lab experiment` finds it
// (--state, else the lab on --net, else the only one running), through its lab.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "lab/lab_map.hpp"

namespace endhost::lab {

struct ExecTarget {
  std::string host;       // the host's full name
  std::string netns;      // its namespace
  std::string state_dir;  // of the lab
};

// HOST is a host's name, or the first label of exactly one ("www" for the one www.… host; "user" for the
// user host). Errors are one line: no lab running, a lab on loopback, no such host (with the names).
Expected<ExecTarget, std::string> exec_target(const LabInfo& lab, const std::string& state_dir,
                                              std::string_view host);

// Replaces this process with `ip netns exec NS COMMAND…` (iproute2 enters the namespace and mounts its
// /etc/netns files), so the command's exit status is the program's. Returns only when that failed, with why.
std::string exec_in_namespace(const std::string& netns, const std::vector<std::string>& command);

}  // namespace endhost::lab
