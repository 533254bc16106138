// The lab's configuration as values: hosts (each on its own loopback address, each running some services),
// extra DNS records per zone, and web sites with their files. Filled from TOML (config_toml.hpp) or from the
// embedded default (default_config.hpp); validate() checks it as a whole before anything starts. Nothing here
// touches the network or the disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "core/settings.hpp"
#include "lab/topology_config.hpp"

namespace endhost::lab {

// How the lab picks its ports (address_plan.hpp): the real ones (53, 80, 3128) when it may bind them, or
// port_base + the real one.
enum class PortMode { automatic, real, high };

struct LabSettings {
  std::string net = "127.20";  // hosts without an explicit address get 127.<x>.a.b in order
  PortMode ports = PortMode::automatic;
  std::uint16_t port_base = 20'000;
  std::size_t transcript_lines = 1'000;  // newest transcript lines kept in memory, per service
  std::size_t threads = 0;               // event loops shared by every host of the lab; 0: one per core
  NetworkMode network = NetworkMode::automatic;  // emulated links or loopback (topology_config.hpp)
  std::string subnet = "198.18.0.0/15";  // the hosts' emulated addresses: RFC 2544 C.2.2's benchmarking range
  std::string user_host = "user";        // the host standing for the student's machine (emulated mode)
  std::uint32_t user_host_line = 0;      // where [lab] sets user_host, for errors (0: the default)
};

// The lab's own service: the live dashboard. Not a registered service (it shows the others), so not an
// `endhost … serve`.
inline constexpr const char* kDashboard = "dashboard";

// One service of a host: its name in the service registry ("web") and its table's keys as settings (TOML's
// max_line is "max-line"; an array gives one value per element; true/false stay words). Which keys a service
// takes is the registry's (its options) and its lab recipe's (recipe.hpp) business, checked when the file is
// read; `port` is the lab's own: unset means the plan's default port for the service (address_plan.hpp).
struct HostService {
  std::string name;
  core::Settings settings;
  std::optional<std::uint16_t> port;
};

struct HostConfig {
  std::string name;  // a lower-case domain name: www.someschool.edu
  // In 127.0.0.0/8: the host's address on loopback; in lab.subnet: its address when emulated. Unset: the
  // next free one of lab.net or lab.subnet. In the other mode the host is numbered like the others.
  std::optional<std::string> address;
  std::vector<HostService> services;  // at most one per name, in the file's order
  std::uint32_t line = 0;             // where the file defines it, for errors (0: not from a file)

  const HostService* find(std::string_view service) const;
  // The zones the host's authoritative DNS server serves (its dns.zones, normalized), for the zone plan.
  std::vector<std::string> zones() const;
  // The site its web server serves (web.site), or "".
  std::string site() const;
};

// Records added to a zone the lab writes, in master-file syntax relative to the zone ("@ MX 10 mail").
struct ZoneExtra {
  std::string origin;
  std::vector<std::string> records;
};

// One file of a site. Exactly one of the content kinds is set.
struct SiteFile {
  std::string path;                 // URL path, absolute: "/fruit/kiwi.gif"
  std::optional<std::string> text;  // literal content
  // A GIF image of this size; the pixels are noise, so the file is about width*height bytes.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> gif;
  // An HTML page referencing `objects` images next to it (obj1.gif …), each about object_bytes long: the
  // "base HTML file with 10 referenced objects" of §2.2.
  std::optional<std::uint32_t> objects;
  std::uint32_t object_bytes = 10'000;
  std::optional<std::int64_t> last_modified;  // Unix seconds; unset: the time the lab wrote the file
};

struct SiteConfig {
  std::string name;
  std::vector<SiteFile> files;
  std::optional<std::int64_t> last_modified;  // the default for files without their own
};

struct LabConfig {
  LabSettings lab;
  std::vector<HostConfig> hosts;
  std::vector<ZoneExtra> zones;
  std::vector<SiteConfig> sites;
  std::vector<GroupConfig> groups;  // the network: hosts behind routers (topology_plan.hpp)
  std::vector<LinkConfig> links;

  // True when the file describes a network ([[group]] or [[link]]); without one, an emulated lab puts every
  // host on one LAN without delay or limits (plan_topology).
  bool has_topology() const { return !groups.empty() || !links.empty(); }
  const GroupConfig* find_group(std::string_view name) const;
  const HostConfig* find_host(std::string_view name) const;
  const SiteConfig* find_site(std::string_view name) const;
};

// Limits on what a configuration may ask for, so a typo cannot make the lab allocate the machine away.
inline constexpr std::size_t kMaxHosts = 4'000;
inline constexpr std::size_t kMaxSiteFiles = 1'000;
inline constexpr std::uint32_t kMaxPageObjects = 1'000;
inline constexpr std::uint64_t kMaxGeneratedFileBytes = 64ull << 20;
inline constexpr std::size_t kMaxTranscriptLines = 100'000;  // per service

// Checks names, addresses, references (extra records target a zone some host serves; the recipes check
// theirs, such as a web host's site), duplicates and limits. The error names the host, zone or site and says
// what to change. Which services exist is the registry's: parse_config checks the names.
Expected<void, std::string> validate(const LabConfig& config);

// Lower-case, without a trailing dot; "." stays "." (the root). Used for host names and zone origins.
std::string normalize_name(std::string_view name);
// True if `name` is `zone` or below it (both normalized).
bool in_zone(std::string_view name, std::string_view zone);
// The file name of a page's i-th object (1-based), written next to the page: "obj3.gif".
std::string page_object_name(std::uint32_t index);

}  // namespace endhost::lab
