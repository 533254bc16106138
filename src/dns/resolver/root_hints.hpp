// Root hints: the names and addresses of the root servers, where every resolution without a closer cached
// delegation starts (RFC 1034 §5.3.2 "SBELT"). Read from a named.root file (InterNIC's master-file format: NS
// records owned by "." and the A/AAAA records of those names) with the zone-file parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/name.hpp"
#include "dns/resolver/ip_address.hpp"

namespace endhost::dns::resolver {

struct RootServer {
  Name name;
  std::vector<IpAddress> addresses;
};

struct RootHints {
  std::vector<RootServer> servers;  // each with at least one address
};

// Parses named.root text. Records other than root NS and the addresses of those servers are ignored; a hints
// file naming no root server with an address is an error. Errors read "file:line: what" like the zone
// parser's.
endhost::Expected<RootHints, std::string> parse_root_hints(std::string_view text, std::string_view file_name);

// A real named.root is 3 KiB; anything past this is not a hints file.
inline constexpr std::size_t kMaxRootHintsFileBytes = 1u << 20;

}  // namespace endhost::dns::resolver
