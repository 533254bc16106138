// The only file access in the DNS codec: reading zone files for load_zone_file(). Kept apart so that the
// parser itself stays pure and fuzzable.
#include <fstream>
#include <sstream>

#include "dns/zone_parser.hpp"

namespace endhost::dns {

IncludeLoader file_loader(std::size_t max_bytes) {
  return [max_bytes](const std::string& path) -> endhost::Expected<std::string, std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return endhost::Unexpected(std::string("cannot open file"));
    std::string data;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      data.append(buf, static_cast<std::size_t>(in.gcount()));
      if (data.size() > max_bytes)
        return endhost::Unexpected("file larger than " + std::to_string(max_bytes) + " octets");
    }
    if (in.bad()) return endhost::Unexpected(std::string("read error"));
    return data;
  };
}

endhost::Expected<Zone, ZoneError> load_zone_file(const std::string& path, ZoneParseOptions options) {
  if (!options.include_loader) options.include_loader = file_loader(options.limits.max_file_bytes);
  auto text = options.include_loader(path);
  if (!text) return endhost::Unexpected(ZoneError{path, 0, text.error()});
  return load_zone(*text, path, options);
}

}  // namespace endhost::dns
