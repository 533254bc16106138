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

namespace endhost::lab {

// How the lab picks its ports (address_plan.hpp): the real ones (53, 80, 3128) when it may bind them, or
// port_base + the real one.
enum class PortMode { automatic, real, high };

struct LabSettings {
  std::string net = "127.20";  // hosts without an explicit address get 127.<x>.a.b in order
  PortMode ports = PortMode::automatic;
  std::uint16_t port_base = 10'000;
  std::size_t transcript_lines = 1'000;  // newest transcript lines kept in memory, per service
  std::size_t threads = 0;               // event loops shared by every host of the lab; 0: one per core
};

// One service per kind and host. An unset optional means the host does not run that service; `port` unset
// means the mode's default port (address_plan.hpp).
// Authoritative server. No port of its own: the resolver sends every query to one port (53, or port_base +
// 53), so every authoritative server of the lab listens on that one.
struct DnsService {
  std::vector<std::string> zones;  // origins, normalized: "edu", "cs.umass.edu", "." for the root
};
struct ResolverService {  // the local DNS server of Kurose & Ross §2.4: recursive, root hints = the lab root
  std::optional<std::uint16_t> port;
};
struct WebService {  // an origin server for one site
  std::string site;
  std::optional<std::uint16_t> port;
  // The textbook's cookie example: a cookie per visitor, visits counted in a back-end database
  // (STATE/sessions/<host>/visitors.sqlite3), GET /_session shows the visitor's id and visits.
  bool sessions = false;
  // Any other option of `endhost web serve`, by name without the dashes ("max_line" = 4096), as text: the web
  // library sets and checks them (http/server/web_options.hpp), with the command line's messages.
  std::vector<std::pair<std::string, std::string>> options{};
};
struct ProxyService {  // the institutional Web cache (a forward proxy)
  std::uint64_t capacity_bytes = 64ull << 20;
  std::uint64_t max_object_bytes = 8ull << 20;
  std::optional<std::uint16_t> port;
};
struct EchoService {  // the upper-case servers of the socket-programming chapter
  bool tcp = true;
  bool udp = true;
  std::uint16_t port = 12'000;
};
struct PingService {  // the UDP pinger's server, with simulated loss
  double loss = 0.3;
  std::uint32_t delay_ms = 0;
  std::uint32_t jitter_ms = 0;
  std::uint16_t port = 12'000;
};
struct DashboardService {
  std::optional<std::uint16_t> port;
};

struct HostConfig {
  std::string name;                    // a lower-case domain name: www.someschool.edu
  std::optional<std::string> address;  // an IPv4 address in 127.0.0.0/8; unset: the next one of the net
  std::optional<DnsService> dns;
  std::optional<ResolverService> resolver;
  std::optional<WebService> web;
  std::optional<ProxyService> proxy;
  std::optional<EchoService> echo;
  std::optional<PingService> ping;
  std::optional<DashboardService> dashboard;
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

  const HostConfig* find_host(std::string_view name) const;
  const SiteConfig* find_site(std::string_view name) const;
};

// Limits on what a configuration may ask for, so a typo cannot make the lab allocate the machine away.
inline constexpr std::size_t kMaxHosts = 4'000;
inline constexpr std::size_t kMaxSiteFiles = 1'000;
inline constexpr std::uint32_t kMaxPageObjects = 1'000;
inline constexpr std::uint64_t kMaxGeneratedFileBytes = 64ull << 20;
inline constexpr std::size_t kMaxTranscriptLines = 100'000;  // per service

// Checks names, addresses, references (a web host's site exists; extra records target a zone some host
// serves), duplicates and limits. The error names the host, zone or site and says what to change.
Expected<void, std::string> validate(const LabConfig& config);

// Lower-case, without a trailing dot; "." stays "." (the root). Used for host names and zone origins.
std::string normalize_name(std::string_view name);
// True if `name` is `zone` or below it (both normalized).
bool in_zone(std::string_view name, std::string_view zone);
// The file name of a page's i-th object (1-based), written next to the page: "obj3.gif".
std::string page_object_name(std::uint32_t index);

}  // namespace endhost::lab
