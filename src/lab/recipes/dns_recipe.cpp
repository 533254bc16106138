// An authoritative DNS server for the zones a host serves: the zone files the lab wrote under STATE/zones, on
// the lab's one DNS port (the resolver asks every server there).
#include <fmt/format.h>

#include "lab/recipes/recipes.hpp"

namespace endhost::lab {

LabRecipe dns_recipe() {
  LabRecipe r;
  r.keys = {"zones"};
  r.sets = {"zone"};
  r.validate = [](const HostService& s, const LabConfig&) -> Expected<void, std::string> {
    if (s.settings.all("zones").empty())
      return Unexpected(std::string("no zones: list them (dns.zones = [\"com\"])"));
    if (s.port) {
      return Unexpected(std::string(
          "no port of its own: every authoritative server listens on the lab's DNS port (lab.port_base + 53, "
          "or 53), where the resolver asks; remove dns.port"));
    }
    return {};
  };
  r.note = [](const core::Settings& s) {
    std::string zones;
    for (const auto& z : s.all("zones")) zones += (zones.empty() ? "" : " ") + normalize_name(z);
    return "zones: " + zones;
  };
  r.prepare = [](const RecipeContext& ctx, const HostService&,
                 core::Settings& settings) -> Expected<void, std::string> {
    for (const ZoneFile& z : ctx.files.zones->zones) {
      if (std::find(z.servers.begin(), z.servers.end(), ctx.host.name) == z.servers.end()) continue;
      const std::string origin = z.origin == "." ? "." : z.origin + ".";
      settings.add("zone", fmt::format("{}={}/{}", origin, ctx.files.zones_dir, z.file_name));
    }
    return {};
  };
  return r;
}

}  // namespace endhost::lab
