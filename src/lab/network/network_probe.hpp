// Whether this process can emulate the lab's links: every host in its own network namespace with a TUN
// device, packets carried between them by the lab's own link emulator (link_pump.hpp). `network = "auto"`
// (the default) takes the emulated network when the probe finds the means (choose_network in
// address_plan.hpp decides with what this says), and otherwise runs on loopback, saying why once on the
// terminal and in lab.json.
#pragma once

#include <string>

namespace endhost::lab {

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

struct EmulationMeans {
  bool possible = false;
  // As a phrase for the map and lab.json: "CAP_NET_ADMIN and /dev/net/tun: …", or the first thing missing:
  // "not root (no CAP_NET_ADMIN, no CAP_SYS_ADMIN)", "cannot open /dev/net/tun (…; modprobe tun)".
  std::string why;
};

// The rule itself, for tests: the first thing missing, as the user can fix it.
EmulationMeans emulation_means(const NetworkProbe& probe);

}  // namespace endhost::lab
