// The address plan: which loopback address each host gets and which port each of its services listens on.
// Every host has its own address in 127.0.0.0/8 (Linux answers on the whole block without configuration), so
// services keep their well-known ports when the lab may bind them (root, ports free) and otherwise move to
// port_base + the well-known port. Either way every authoritative DNS server listens on one port, the
// resolver's query port.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/privileged_ports.hpp"
#include "core/service_registry.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

// The well-known ports, used as they are in real mode and added to port_base in high mode.
inline constexpr std::uint16_t kDnsPort = 53;
inline constexpr std::uint16_t kHttpPort = 80;
inline constexpr std::uint16_t kHttpsPort = 443;   // RFC 9110 §4.2.2: the web hosts' TLS listener
inline constexpr std::uint16_t kProxyPort = 3128;  // Squid's, the usual port of a forward cache
inline constexpr std::uint16_t kMaxPortBase = 65535 - kProxyPort;

struct PlannedService {
  std::string kind;  // the service's name in the registry ("web"), or "dashboard"
  bool tcp = false;
  bool udp = false;
  std::uint16_t port = 0;
  std::string note;  // what the map shows next to it: "zones: edu", "30% loss"
};

struct PlannedHost {
  const HostConfig* config = nullptr;  // points into the LabConfig the plan was made from
  std::string name;
  std::string address;
  std::vector<PlannedService> services;

  const PlannedService* find(std::string_view kind) const;
};

struct AddressPlan {
  PortMode mode = PortMode::high;  // real or high, never automatic
  std::string reason;              // why this mode: "running as root and port 53 is free"
  std::uint16_t dns_port = 0;      // every authoritative server's port: the resolver's query port
  std::vector<PlannedHost> hosts;

  const PlannedHost* find_host(std::string_view name) const;
  // The host running that kind of service (the first one), or nullptr.
  const PlannedHost* host_with(std::string_view kind) const;
};

// "127.20" → 20; nullopt unless it is "127.<0-255>".
std::optional<std::uint8_t> parse_net(std::string_view net);
// A dotted IPv4 address inside 127.0.0.0/8, not the block's first or last address; as a host-order integer.
std::optional<std::uint32_t> parse_loopback(std::string_view address);
std::string format_ipv4(std::uint32_t address);

// Tries to bind the real ports on `address` (UDP and TCP 53, TCP 80); returns "" when all are free, else why
// not. Replaceable in tests.
using PortProbe = std::function<std::string(const std::string& address)>;
std::string probe_real_ports(const std::string& address);

// Resolves PortMode::automatic: real when this process may bind ports 53 and 80 (privileged_ports below) and
// the probe finds them free on `address`; high otherwise. The reason is a phrase for the map.
struct PortChoice {
  PortMode mode;
  std::string reason;
};
PortChoice choose_port_mode(PortMode asked, const std::string& probe_address, const PortProbe& probe);

// Whether this process may bind ports 53 and 80, and why, as a phrase for the map: CAP_NET_BIND_SERVICE in
// the effective set (root's, or granted with setcap), or net.ipv4.ip_unprivileged_port_start at most 53.
using PrivilegedPorts = core::PrivilegedPorts;
PrivilegedPorts privileged_ports(unsigned euid, std::uint64_t cap_eff, unsigned unprivileged_port_start);
PrivilegedPorts privileged_ports();  // this process: geteuid, CapEff of /proc/self/status, the sysctl
bool may_bind_privileged_ports();

// Assigns addresses (explicit ones kept, the others numbered from <net>.0.1 in host order) and ports: a
// service's `port`, else its registered well-known port (port_base + it in high mode, when the descriptor
// says so); the dashboard's is HTTP's. `config` must have passed validate() and must outlive the plan. Fails
// when the net runs out of addresses or two services would share an address and port.
Expected<AddressPlan, std::string> plan_addresses(const LabConfig& config, PortChoice ports,
                                                  const core::ServiceRegistry& services);

// The address the first host will get (the one choose_port_mode probes), before the whole plan exists.
std::string first_host_address(const LabConfig& config, const core::ServiceRegistry& services);

}  // namespace endhost::lab
