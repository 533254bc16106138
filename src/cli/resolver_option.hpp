// `--dns-servers ADDR[:PORT]`, shared by the commands that dial by name (fetch, proxy serve, proxy purge):
// which core::NameResolver turns host names into addresses — the system's (getaddrinfo) by default, or a
// DNS server at an address (an `endhost resolver serve`, the lab's resolver).
#pragma once

#include <memory>
#include <string>

#include "cli/cli_error.hpp"
#include "core/host_port.hpp"
#include "core/name_resolver.hpp"
#include "dns/client/server_name_resolver.hpp"

namespace endhost::cli {

inline constexpr const char* kDnsServersHelp =
    "Resolve host names by asking this DNS server (ADDR[:PORT], port 53 by default) instead of the system's "
    "resolver";

inline std::shared_ptr<const core::NameResolver> make_name_resolver(const std::string& dns_server) {
  if (dns_server.empty()) return std::make_shared<core::SystemNameResolver>();
  auto hp = core::parse_host_port(dns_server, 53);
  if (!hp) throw UsageError("--dns-servers: " + hp.error());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError("--dns-servers takes an IP address, not a name: '" + hp->host + "'");
  return std::make_shared<dns::client::ServerNameResolver>(asio::ip::udp::endpoint(address, hp->port));
}

}  // namespace endhost::cli
