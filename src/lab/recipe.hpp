// What the lab adds to one service's settings from what only the lab knows: the files it wrote (a site's
// directory, the zone files, the root hints), the other hosts (the cache's origins), and its state directory.
// Optional: a service without a recipe is built from its TOML keys (its own options), the host's address and
// the plan's port, and needs no edit in the lab at all. src/lab/recipes/ holds one per service that has one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/settings.hpp"
#include "lab/address_plan.hpp"
#include "lab/config.hpp"
#include "lab/zone_plan.hpp"

namespace endhost::lab {

// What every service may read while it is built: the plan, the files the lab wrote, where its state goes.
struct LabFiles {
  std::string state_dir;
  std::string zones_dir;  // STATE/zones: one master file per zone, and root.hints
  std::string sites_dir;  // STATE/sites/<site>/
  const ZonePlan* zones = nullptr;
  const AddressPlan* plan = nullptr;
};

struct RecipeContext {
  const LabFiles& files;
  const LabConfig& config;
  const PlannedHost& host;
  const PlannedService& service;
};

// A record the recipe puts into a zone the lab writes ("lab._domainkey TXT …" under crepes.fr), relative to
// that zone as [[zone]] records are.
struct ZoneRecord {
  std::string origin;  // normalized zone origin: "crepes.fr"
  std::string record;  // master-file text relative to the origin
};

// What a recipe may read before the zones are written: the configuration and its zone origins, the host, the
// state directory (keys it makes live there), and how the ports are planned.
struct ZoneRecordContext {
  const LabConfig& config;
  const HostConfig& host;
  const std::vector<std::string>& zone_origins;  // every zone some host serves, normalized
  const std::string& state_dir;
};

struct LabRecipe {
  // Keys of the service's table that are the lab's, not options of the service ("site", "zones"), spelled
  // with dashes as the settings are (TOML's capacity_mb is "capacity-mb").
  std::vector<std::string> keys;
  // Options of the service that the recipe sets from the rest of the configuration (a web host's root is its
  // site's directory): a table that gives them is refused, rather than one of the two silently losing.
  std::vector<std::string> sets;
  // Checks the service's table against the whole configuration before anything starts (the web site exists);
  // the message says what to change, and the caller prefixes the host.
  std::function<Expected<void, std::string>(const HostService&, const LabConfig&)> validate;
  // The map's and the dashboard's note beside the service ("zones: edu", "30% loss"), from the table's keys
  // over the service's lab defaults; empty: none.
  std::function<std::string(const core::Settings&)> note;
  // Turns the lab's keys into the service's own settings (site → root = STATE/sites/<site>) and adds what the
  // lab decides (directories under STATE, access logs). `settings` holds the service's lab defaults and the
  // table's other keys already.
  std::function<Expected<void, std::string>(const RecipeContext&, const HostService&, core::Settings&)>
      prepare;
  // Records for the lab's zones that only the service knows (a mail domain's DKIM key, its SPF policy),
  // asked once per host before the zone files are planned. Empty: none.
  std::function<Expected<std::vector<ZoneRecord>, std::string>(const ZoneRecordContext&, const HostService&)>
      zone_records;
  // The service's TCP port goes through a switch the dashboard can turn off and on (POST /api/switch). On
  // loopback the service itself listens on switched_port() of the host's address, and the lab forwards the
  // planned port to it while the switch is on (lab/port_switch.hpp); on emulated links it listens on the
  // planned port and the link pump closes that port while off (lab/network/link_switch.hpp). The mail
  // experiment takes Bob's server down so.
  bool switchable = false;
  // The service gets the host's certificate from the lab's CA (STATE/tls/hosts/<host>.pem and its key) as
  // its TLS context (--tls-cert/--tls-key); where it uses it is the recipe's (the web hosts' --tls-listen).
  bool lab_certificate = false;
};

// Where a switchable service listens behind its switch: the planned port + 10000 (below 65536; else the
// planned port - 10000), on the host's own address, so no other host can meet it.
std::uint16_t switched_port(std::uint16_t planned);

// The recipe for a service, or null when it needs none (src/lab/recipes/recipes.cpp).
const LabRecipe* find_recipe(std::string_view service);

}  // namespace endhost::lab
