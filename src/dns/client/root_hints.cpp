#include "dns/client/root_hints.hpp"

#include "dns/zone_parser.hpp"

namespace endhost::dns::client {

Expected<std::vector<NameServer>, std::string> parse_root_hints(std::string_view text,
                                                                std::string_view file) {
  ZoneParseOptions options;  // origin: the root
  auto records = parse_master_file(text, file, options);
  if (!records) return Unexpected(records.error().to_string());
  std::vector<NameServer> servers;
  for (const auto& rr : *records) {
    if (rr.type == RRType::NS && rr.name.is_root())
      servers.push_back({std::get<rdata::Ns>(rr.rdata).host, {}});
  }
  for (auto& s : servers) {
    for (const auto& rr : *records) {
      if (!(rr.name == s.name)) continue;
      ServerAddress a;
      if (rr.type == RRType::A) {
        const auto& v4 = std::get<rdata::A>(rr.rdata).address;
        std::copy(v4.begin(), v4.end(), a.bytes.begin());
      } else if (rr.type == RRType::AAAA) {
        a.v6 = true;
        a.bytes = std::get<rdata::Aaaa>(rr.rdata).address;
      } else {
        continue;
      }
      s.addresses.push_back(a);
    }
  }
  std::size_t with_address = 0;
  for (const auto& s : servers) with_address += s.addresses.empty() ? 0 : 1;
  if (with_address == 0)
    return Unexpected(std::string(file) +
                      ": no root server with an address (expected '. NS name' and 'name A addr')");
  return servers;
}

}  // namespace endhost::dns::client
