// Parse arbitrary text as a master file (with a fake $INCLUDE loader that serves the same text) and build
// a zone from what parses; every record that parses must print and re-parse to itself.
#include <cstdlib>
#include <string>

#include "dns/zone_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  std::string text(reinterpret_cast<const char*>(data), size);
  ZoneParseOptions o;
  o.origin = *Name::from_string("example.");
  o.limits.max_records = 1000;
  o.limits.max_include_depth = 2;
  o.include_loader = [&](const std::string&) -> endhost::Expected<std::string, std::string> { return text; };
  auto recs = parse_master_file(text, "fuzz.zone", o);
  if (!recs) return 0;
  for (const auto& rr : *recs) {
    std::string line = to_string(rr) + "\n";
    ZoneParseOptions p;
    auto again = parse_master_file(line, "again.zone", p);
    if (!again || again->size() != 1 || !((*again)[0] == rr)) std::abort();
  }
  (void)build_zone(o.origin, *recs);
  return 0;
}
