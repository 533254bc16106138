// `--dns-servers ADDR[:PORT]`, shared by the commands that dial by name (fetch, proxy purge; proxy serve has
// it in its settings): the resolver dns::client::name_resolver_for gives, or a UsageError naming the option.
#pragma once

#include <memory>
#include <string>

#include "cli/cli_error.hpp"
#include "dns/client/server_name_resolver.hpp"

namespace endhost::cli {

using dns::client::kDnsServersHelp;

inline std::shared_ptr<const core::NameResolver> make_name_resolver(const std::string& dns_server) {
  auto resolver = dns::client::name_resolver_for(dns_server);
  if (!resolver) throw UsageError(resolver.error());
  return std::move(*resolver);
}

}  // namespace endhost::cli
