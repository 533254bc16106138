// The options of `endhost resolver serve` and of a lab host's `resolver = { … }`, declared once: the
// SettingTable that checks each value (the same sentence from the command line and the lab), the
// configuration built from them (the ACL, the root hints file), and the service's registration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "dns/limits.hpp"
#include "dns/resolver/resolver_service.hpp"

namespace endhost::dns::resolver {

inline constexpr std::uint16_t kDnsPort = 53;
// Debian's dns-root-data package installs the IANA root hints here.
inline constexpr const char* kSystemRootHints = "/usr/share/dns/root.hints";

// What the options say, before the files they name are read.
struct ResolverOptions {
  std::string root_hints;          // empty: kSystemRootHints
  std::vector<std::string> allow;  // CIDR prefixes; empty: loopback only
  std::uint16_t query_port = kDnsPort;
  std::size_t cache_mib = 64;
  std::uint32_t max_ttl = 86'400;
  std::uint32_t max_negative_ttl = 3'600;
  double resolution_timeout = 10;  // seconds
  bool ipv6 = false;
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;
  std::size_t max_resolutions = 1000;  // per loop
  double idle_timeout = 10;            // seconds, TCP clients
};

const core::SettingTable<ResolverOptions>& resolver_settings();

// The service's configuration from checked options: the ACL (a bad prefix is a usage error, found before
// any file is read) and the root hints (a file that cannot be read or parsed is not).
Expected<ResolverServiceConfig, core::ServiceError> resolver_config(const ResolverOptions& options);

// Adds "resolver" to the registry: `endhost resolver serve` and a lab host's `resolver = { … }`.
void register_service(core::ServiceRegistry& registry);

}  // namespace endhost::dns::resolver
