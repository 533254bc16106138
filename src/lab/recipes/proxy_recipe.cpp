// The institutional Web cache. Its origins are the lab's web hosts (name → address:port, what the lab's DNS
// says too), so requests for any other host are refused (421), which also keeps the cache from being an open
// relay; the cache lives in STATE/cache/<host>, the access log in STATE/logs/<host>.access.log. Names it
// dials go to the lab's resolver (the lab gives every service its resolver). The lab's hosts are on the
// forward-mode allow-list (--allow-destination), so the cache can reach them should it ever run forward.
#include <fmt/format.h>

#include <algorithm>

#include "lab/recipes/recipes.hpp"

namespace endhost::lab {

namespace {

constexpr std::uint64_t kDefaultCapacityMb = 64;
constexpr std::uint64_t kDefaultMaxObjectKb = 8 << 10;
constexpr std::uint64_t kMemoryTier = 16ull << 20;

Expected<std::uint64_t, std::string> number(const HostService& s, const std::string& key,
                                            std::uint64_t fallback, std::uint64_t high) {
  const std::string* v = s.settings.get(key);
  if (!v) return fallback;
  return core::parse_unsigned_setting(toml_key(key), *v, 1, high);
}

}  // namespace

LabRecipe proxy_recipe() {
  LabRecipe r;
  r.keys = {"capacity-mb", "max-object-kb"};
  r.sets = {"cache-dir", "cache-size", "max-object-size",   "memory-size", "origin",
            "via",       "purge-from", "allow-destination", "access-log"};
  r.validate = [](const HostService& s, const LabConfig& c) -> Expected<void, std::string> {
    // Without origins the proxy would be a forward proxy to anywhere: the lab's cache is no open relay.
    bool origins = false;
    for (const HostConfig& h : c.hosts) origins = origins || h.find("web");
    if (!origins)
      return Unexpected(std::string("no web host to cache for: add a host with web.site = \"NAME\""));
    if (auto v = number(s, "capacity-mb", kDefaultCapacityMb, 1 << 20); !v) return Unexpected(v.error());
    if (auto v = number(s, "max-object-kb", kDefaultMaxObjectKb, 1 << 30); !v) return Unexpected(v.error());
    return {};
  };
  r.note = [](const core::Settings&) { return std::string("forward proxy, caching"); };
  r.prepare = [](const RecipeContext& ctx, const HostService& table,
                 core::Settings& settings) -> Expected<void, std::string> {
    auto capacity_mb = number(table, "capacity-mb", kDefaultCapacityMb, 1 << 20);
    if (!capacity_mb) return Unexpected(capacity_mb.error());
    auto max_object_kb = number(table, "max-object-kb", kDefaultMaxObjectKb, 1 << 30);
    if (!max_object_kb) return Unexpected(max_object_kb.error());
    const std::uint64_t capacity = *capacity_mb << 20;
    settings.set("cache-dir", ctx.files.state_dir + "/cache/" + ctx.host.name);
    settings.set("cache-size", std::to_string(capacity));
    settings.set("max-object-size", std::to_string(std::min(*max_object_kb << 10, capacity)));
    settings.set("memory-size", std::to_string(std::min(capacity, kMemoryTier)));
    for (const PlannedHost& h : ctx.files.plan->hosts) {
      const PlannedService* web = h.find("web");
      if (web) settings.add("origin", fmt::format("{}=http://{}:{}/", h.name, h.address, web->port));
      // The lab's hosts are 127.x addresses, which a forward proxy refuses by default (SSRF guard): the
      // lab's own hosts are let through, and nothing else on this machine is.
      settings.add("allow-destination", h.address);
    }
    // PURGE from this machine (the proxy's default) and from the user host, where `endhost lab experiment`
    // runs when the links are emulated (it sends from the user host's address, not loopback): the cache
    // experiment purges the cache to start cold. Nobody else may empty the lab's cache.
    settings.add("purge-from", "127.0.0.0/8");
    settings.add("purge-from", "::1");
    for (const PlannedHost& h : ctx.files.plan->hosts) {
      if (h.name == ctx.config.lab.user_host) settings.add("purge-from", h.address);
    }
    settings.set("via", ctx.host.name);
    return set_access_log(ctx, settings);
  };
  return r;
}

}  // namespace endhost::lab
