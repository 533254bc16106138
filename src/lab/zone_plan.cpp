#include "lab/zone_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "dns/name.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::lab {

namespace {

std::string absolute(std::string_view name) {
  return name == "." ? std::string(".") : std::string(name) + ".";
}

std::string parent_of(std::string_view zone) {
  auto dot = zone.find('.');
  return dot == std::string_view::npos ? std::string(".") : std::string(zone.substr(dot + 1));
}

std::size_t label_count(std::string_view name) {
  if (name == ".") return 0;
  return static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1;
}

}  // namespace

std::string closest_zone(std::string_view name, const std::vector<std::string>& zones) {
  std::string best;
  std::size_t best_labels = 0;
  for (const auto& z : zones) {
    if (!in_zone(name, z)) continue;
    std::size_t labels = label_count(z);
    if (best.empty() || labels > best_labels) {
      best = z;
      best_labels = labels;
    }
  }
  return best;
}

Expected<ZonePlan, std::string> plan_zones(const LabConfig& config, const AddressPlan& plan) {
  // Zone origin → the hosts serving it, in config order.
  std::map<std::string, std::vector<const PlannedHost*>> servers;
  for (const auto& h : plan.hosts) {
    for (const auto& z : h.config->zones()) servers[z].push_back(&h);
  }
  std::vector<std::string> origins;
  for (const auto& [origin, _] : servers) origins.push_back(origin);
  // Parents first: by label count, then by name, so the files come out in a stable, readable order.
  std::sort(origins.begin(), origins.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(label_count(a), a) < std::make_pair(label_count(b), b);
  });

  ZonePlan out;
  for (const std::string& origin : origins) {
    const auto& ns = servers[origin];
    std::string t;
    t +=
        fmt::format("; Zone {} of the endhost lab, written from the lab's hosts (endhost lab --state DIR).\n",
                    absolute(origin));
    t += fmt::format("$ORIGIN {}\n$TTL {}\n", absolute(origin), kZoneTtl);
    std::string rname = origin == "." ? "hostmaster." : "hostmaster." + absolute(origin);
    // RFC 1035 §3.3.13: serial, refresh, retry, expire, minimum (the negative-caching TTL, RFC 2308 §4).
    t += fmt::format("@ IN SOA {} {} 1 3600 900 604800 300\n", absolute(ns.front()->name), rname);
    for (const PlannedHost* s : ns) t += fmt::format("@ IN NS {}\n", absolute(s->name));

    t += "; hosts\n";
    for (const auto& h : plan.hosts) {
      if (closest_zone(h.name, origins) == origin)
        t += fmt::format("{} IN A {}\n", absolute(h.name), h.address);
    }
    for (const std::string& child : origins) {
      if (child == origin || child == "." || closest_zone(parent_of(child), origins) != origin) continue;
      t += fmt::format("; delegation of {} (RFC 1034 §4.2.1)\n", absolute(child));
      for (const PlannedHost* s : servers[child])
        t += fmt::format("{} IN NS {}\n", absolute(child), absolute(s->name));
      // Glue: the addresses of servers named below the cut, which a resolver could not otherwise find.
      for (const PlannedHost* s : servers[child]) {
        if (in_zone(s->name, child)) t += fmt::format("{} IN A {}\n", absolute(s->name), s->address);
      }
    }
    for (const auto& extra : config.zones) {
      if (extra.origin != origin) continue;
      t += "; records from the configuration\n";
      for (const auto& r : extra.records) t += r + "\n";
    }

    ZoneFile zf;
    zf.origin = origin;
    zf.file_name = origin == "." ? "root.zone" : origin + ".zone";
    zf.text = std::move(t);
    for (const PlannedHost* s : ns) zf.servers.push_back(s->name);

    dns::ZoneParseOptions opts;
    auto name = dns::Name::from_string(absolute(origin));
    if (!name) return Unexpected(fmt::format("zone {}: not a valid domain name", origin));
    opts.origin = *name;
    if (auto zone = dns::load_zone(zf.text, zf.file_name, opts); !zone) {
      return Unexpected(fmt::format("zone {}: {} (check the [[zone]] records of {})", origin,
                                    zone.error().to_string(), origin));
    }
    out.zones.push_back(std::move(zf));
  }

  if (servers.count(".")) {
    out.root_hints = "; The lab's root servers, in named.root format: the resolver's root hints.\n";
    for (const PlannedHost* s : servers["."])
      out.root_hints += fmt::format(".  3600000  NS  {}\n", absolute(s->name));
    for (const PlannedHost* s : servers["."]) {
      out.root_hints += fmt::format("{}  3600000  A  {}\n", absolute(s->name), s->address);
    }
  }
  return out;
}

}  // namespace endhost::lab
