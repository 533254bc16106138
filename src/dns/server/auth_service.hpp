// `endhost dns serve` and a lab host's `dns = { … }` as one registered service: the options of the
// authoritative server declared once (a core::SettingTable, so the command line and the lab check them with
// the same sentences), the checks that need several options together, and the factory that builds an
// AuthServer from them and from what the host gives it (listen addresses, TLS, transcript, metrics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "dns/limits.hpp"
#include "dns/server/auth_server.hpp"

namespace endhost::dns::server {

inline constexpr std::uint16_t kDnsPort = 53;
// What version.bind answers by default, the way NSD answers "NSD 4.6.1": "endhost 0.1.0".
std::string default_version_string();

// The serve options, as the command line names them (--zone, --secondary, …).
struct AuthServiceOptions {
  std::vector<std::string> zones;        // [ORIGIN=]FILE
  std::vector<std::string> secondaries;  // ZONE=ADDR:PORT
  std::string state_dir;
  std::vector<std::string> allow_transfer;  // CIDR
  std::vector<std::string> notify;          // ADDR:PORT
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;
  double idle_timeout = 10;  // seconds
  double io_timeout = 10;    // seconds
  std::size_t max_zone_records = kDefaultMaxZoneRecords;
  std::size_t max_zone_bytes = kDefaultMaxZoneFileBytes;
  std::size_t udp_batch = 32;
  bool reuseport = false;
  // RFC 4892 identity: version.bind/version.server and hostname.bind/id.server/hostname.server (CH TXT).
  std::string version_string = default_version_string();
  std::string identity;  // empty: this host's name, as NSD answers
  bool no_identity = false;
  std::vector<std::string> tsig_keys;  // NAME:ALGORITHM:BASE64 (RFC 8945)
};

// The table of the options above: names, aliases, help, ranges.
const core::SettingTable<AuthServiceOptions>& auth_settings();

// The server's configuration from checked options: zone and secondary specs, the transfer ACL, NOTIFY
// targets. The error is one line naming the option ("--secondary needs --state DIR, …"). Listen addresses,
// TLS, the transcript and the connection limit are the host's, set by the caller.
Expected<AuthServerConfig, std::string> auth_server_config(const AuthServiceOptions& options);

// Creates the --state directory when missing; the error says why it cannot be used.
Expected<void, std::string> ensure_state_dir(const std::string& dir);

// Adds "dns" to the registry: `endhost dns serve` and a lab host's `dns = { … }`.
void register_service(core::ServiceRegistry& registry);

}  // namespace endhost::dns::server
