#include "dns/resolver/root_hints.hpp"

#include <algorithm>

#include "dns/rdata.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::dns::resolver {

namespace {

constexpr std::size_t kMaxHintsRecords = 10'000;

}  // namespace

endhost::Expected<RootHints, std::string> parse_root_hints(std::string_view text,
                                                           std::string_view file_name) {
  ZoneParseOptions options;  // origin "." and no $INCLUDE
  options.default_ttl = Ttl{3'600'000};
  options.limits.max_file_bytes = kMaxRootHintsFileBytes;
  options.limits.max_records = kMaxHintsRecords;
  auto records = parse_master_file(text, file_name, options);
  if (!records) return endhost::Unexpected(records.error().to_string());

  RootHints hints;
  for (const auto& rr : *records) {
    if (rr.type != RRType::NS || !rr.name.is_root()) continue;
    const Name& host = std::get<rdata::Ns>(rr.rdata).host;
    bool seen = std::any_of(hints.servers.begin(), hints.servers.end(),
                            [&](const RootServer& s) { return s.name == host; });
    if (!seen) hints.servers.push_back(RootServer{host, {}});
  }
  for (const auto& rr : *records) {
    if (rr.type != RRType::A && rr.type != RRType::AAAA) continue;
    for (auto& s : hints.servers) {
      if (!(s.name == rr.name)) continue;
      IpAddress a = rr.type == RRType::A ? IpAddress::v4_from(std::get<rdata::A>(rr.rdata).address)
                                         : IpAddress::v6_from(std::get<rdata::Aaaa>(rr.rdata).address);
      if (std::find(s.addresses.begin(), s.addresses.end(), a) == s.addresses.end()) s.addresses.push_back(a);
    }
  }
  std::erase_if(hints.servers, [](const RootServer& s) { return s.addresses.empty(); });
  if (hints.servers.empty()) {
    return endhost::Unexpected(std::string(file_name) +
                               ": no root server with an address (expected '. NS name' records and "
                               "'name A address' records for those names, as in named.root)");
  }
  return hints;
}

}  // namespace endhost::dns::resolver
