// The address plan: which address each host gets and which port each of its services listens on. On
// loopback every host has its own address in 127.0.0.0/8 (Linux answers on the whole block without
// configuration); emulated, each host's namespace has an address of lab.subnet (198.18.0.0/15) and each
// group's router one from the top of it. Services keep their well-known ports when the lab may bind them
// (root, ports free) and otherwise move to port_base + the well-known port. Either way every authoritative
// DNS server listens on one port, the resolver's query port.
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
  std::string note;         // what the map shows next to it: "zones: edu", "30% loss"
  core::Settings settings;  // the service's lab defaults with the host's table over them
};

struct PlannedHost {
  const HostConfig* config = nullptr;  // points into the LabConfig the plan was made from
  std::string name;
  std::string address;
  std::vector<PlannedService> services;

  const PlannedService* find(std::string_view kind) const;
};

// Where the lab's hosts live, decided: emulated or loopback, never automatic, and why.
struct NetworkChoice {
  NetworkMode mode = NetworkMode::loopback;
  std::string reason;  // "CAP_NET_ADMIN: …", "as asked by network = \"loopback\""
};

struct AddressPlan {
  PortMode mode = PortMode::high;  // real or high, never automatic
  std::string reason;              // why this mode: "running as root and port 53 is free"
  std::uint16_t dns_port = 0;      // every authoritative server's port: the resolver's query port
  NetworkChoice network;           // which plan the hosts' addresses are from
  std::string subnet;              // lab.subnet, normalized ("198.18.0.0/15")
  std::vector<PlannedHost> hosts;
  // Each [[group]]'s router and its address in lab.subnet, in the file's order (both modes: the emulator
  // needs them; on loopback lab.json shows them).
  std::vector<std::pair<std::string, std::string>> routers;

  const PlannedHost* find_host(std::string_view name) const;
  // The host running that kind of service (the first one), or nullptr.
  const PlannedHost* host_with(std::string_view kind) const;
};

// "127.20" → 20; nullopt unless it is "127.<0-255>".
std::optional<std::uint8_t> parse_net(std::string_view net);
// A dotted IPv4 address inside 127.0.0.0/8, not the block's first or last address; as a host-order integer.
std::optional<std::uint32_t> parse_loopback(std::string_view address);
std::string format_ipv4(std::uint32_t address);
// Any dotted IPv4 address, as a host-order integer.
std::optional<std::uint32_t> parse_ipv4(std::string_view address);

// An IPv4 prefix: "198.18.0.0/15".
struct Ipv4Net {
  std::uint32_t base = 0;
  unsigned prefix = 32;
  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  bool contains(std::uint32_t a) const { return a - base < size(); }
  std::string to_string() const;
};
// A prefix of 8 … 30 bits whose host bits are zero, outside 0/8, 127/8 and multicast; else nullopt.
std::optional<Ipv4Net> parse_subnet(std::string_view text);

// Resolves NetworkMode::automatic: emulated when the process may (`may_emulate`: CAP_NET_ADMIN, which the
// caller finds out; `why` says what it found), else loopback. An explicit "emulated" without the means is an
// error saying why and what to do.
Expected<NetworkChoice, std::string> choose_network(NetworkMode asked, bool may_emulate,
                                                    std::string_view why);

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

// Assigns addresses and ports. Loopback: explicit 127.x addresses kept, the others numbered from <net>.0.1
// in host order. Emulated: explicit addresses in lab.subnet kept, the others numbered from its first address
// in host order, the routers from its last downwards. In either, .0 and .255 of each /24 are skipped, and an
// explicit address of the other mode's range is ignored (the host is numbered). Ports: a service's `port`,
// else its registered well-known port (port_base + it in high mode, when the descriptor says so); the
// dashboard's is HTTP's. `config` must have passed validate() and must outlive the plan. Fails when the
// range runs out of addresses or two services would share an address and port.
Expected<AddressPlan, std::string> plan_addresses(const LabConfig& config, PortChoice ports,
                                                  const core::ServiceRegistry& services,
                                                  NetworkChoice network = {});

// The address the first host will get on loopback (the one choose_port_mode probes), before the plan exists.
std::string first_host_address(const LabConfig& config, const core::ServiceRegistry& services);

}  // namespace endhost::lab
