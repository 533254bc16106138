// Whether the lab's links are emulated: every host in its own network namespace with a TUN device, packets
// carried between them by the lab's own link emulator (link_pump.hpp), or every host on a loopback address of
// the root namespace as before, where an RTT is tens of microseconds. `network = "auto"` (the default) takes
// the emulated network when this process may make it; the decision and its reason are said once, on the
// terminal (the map's `network:` line) and in lab.json (`network: {mode, reason}`).
#pragma once

#include <string>

#include "core/expected.hpp"

namespace endhost::lab {

// What the configuration asks for (`[lab] network`).
enum class NetworkAsk { automatic, loopback, emulated };
// What the lab runs.
enum class NetworkMode { loopback, emulated };

const char* network_mode_name(NetworkMode mode);  // "loopback", "emulated"

// What this process may do, as found by probe_network(): each false with the reason why.
struct NetworkProbe {
  bool net_admin = false;  // CAP_NET_ADMIN in the effective set: TUN devices, addresses, routes
  bool sys_admin = false;  // CAP_SYS_ADMIN: setns(2) and the bind mount that names a namespace
  bool unshare = false;    // a throwaway unshare(CLONE_NEWNET) on a short-lived thread succeeded
  bool tun = false;        // /dev/net/tun opens for reading and writing
  std::string unshare_error;
  std::string tun_error;
};

// Looks at this process: CapEff of /proc/self/status, a trial unshare on a thread of its own (so the calling
// thread never leaves its namespace; a container's seccomp filter or a user namespace without the right
// shows here, where the capability bits alone would mislead), and a trial open of /dev/net/tun.
NetworkProbe probe_network();

struct NetworkChoice {
  NetworkMode mode = NetworkMode::loopback;
  // Why, as a phrase for the map and lab.json: "running as root with /dev/net/tun", or, on loopback,
  // "links are not emulated: not root (no CAP_NET_ADMIN); run `sudo endhost lab` for emulated links".
  std::string reason;
};

// The rule itself, for tests. `emulated` without the means is an error: one line with the fix.
Expected<NetworkChoice, std::string> choose_network(NetworkAsk asked, const NetworkProbe& probe);

}  // namespace endhost::lab
