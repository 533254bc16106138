// The lab's DNS data, derived from the hosts: one master file per zone some host serves, and the root hints
// the resolver starts from. Each zone gets its SOA and NS, an A record for every host whose closest
// enclosing lab zone it is, a delegation (NS, plus glue for servers below the cut, RFC 1034 §4.2.1) for each
// child zone served in the lab, and the config's extra records. Every file is checked with the DNS codec's
// zone loader before the lab starts, so a bad extra record is reported with its zone and line.
#pragma once

#include <string>
#include <vector>

#include "core/expected.hpp"
#include "lab/address_plan.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

struct ZoneFile {
  std::string origin;                // normalized: "edu", "." for the root
  std::string file_name;             // "edu.zone", "root.zone"
  std::string text;                  // master-file text
  std::vector<std::string> servers;  // names of the hosts that serve it
};

struct ZonePlan {
  std::vector<ZoneFile> zones;  // parents before children
  std::string root_hints;       // named.root format: the root servers of the lab and their addresses
};

// The TTL of every generated record: long enough that the second dns-trace run is served from the cache.
inline constexpr unsigned kZoneTtl = 3600;

// Builds and checks every zone of `plan` (made from `config`).
Expected<ZonePlan, std::string> plan_zones(const LabConfig& config, const AddressPlan& plan);

// The closest zone in `zones` that contains `name` ("." contains everything); "" when none does.
std::string closest_zone(std::string_view name, const std::vector<std::string>& zones);

}  // namespace endhost::lab
