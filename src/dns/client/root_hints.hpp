// Root hints (the named.root file): NS records for the root and the addresses of those servers, in
// master-file syntax. Turned into the first server list of a --trace walk.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/client/trace_walk.hpp"

namespace endhost::dns::client {

// Parses hints text. Errors read "file:line: what", or say that the file names no root server address.
Expected<std::vector<NameServer>, std::string> parse_root_hints(std::string_view text, std::string_view file);

}  // namespace endhost::dns::client
