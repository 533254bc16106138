#include "lab/config.hpp"
#include "lab/recipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "lab/address_plan.hpp"
#include "lab/topology_plan.hpp"

namespace endhost::lab {

namespace {

using Error = Unexpected<std::string>;

// RFC 1123 §2.1 host names: letters, digits and hyphens, labels of 1-63, not starting or ending with '-';
// 253 characters at most in presentation form. "_" is allowed too, for service labels in zones.
bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return false;
    }
    start = dot + 1;
  }
  return true;
}

bool valid_zone_name(std::string_view zone) {
  return zone == "." || valid_host_name(zone);
}

// A URL path the lab may write under a site's directory: absolute, no empty, "." or ".." segments (which
// would escape the directory or alias another file), printable ASCII without characters a URL must escape.
bool valid_site_path(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/' || path.size() > 1024) return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.' || c == '~';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

Expected<void, std::string> validate_site(const SiteConfig& site) {
  if (site.name.empty()) return Error(std::string("a site has no name: give it one ([site.NAME])"));
  if (site.files.size() > kMaxSiteFiles) {
    return Error(fmt::format("site {}: {} files, more than the limit of {}", site.name, site.files.size(),
                             kMaxSiteFiles));
  }
  std::set<std::string> paths;
  for (const SiteFile& f : site.files) {
    if (!valid_site_path(f.path)) {
      return Error(fmt::format(
          "site {}: file path '{}' is not a plain absolute URL path (like /fruit/kiwi.gif: letters, digits, "
          "'-', '_', '.', '~' between slashes, no '..')",
          site.name, f.path));
    }
    int kinds = (f.text ? 1 : 0) + (f.gif ? 1 : 0) + (f.objects ? 1 : 0);
    if (kinds != 1) {
      return Error(
          fmt::format("site {}: file {} needs exactly one of text, gif or objects", site.name, f.path));
    }
    if (f.gif) {
      auto [w, h] = *f.gif;
      if (w == 0 || h == 0 || w > 65535 || h > 65535 || std::uint64_t{w} * h > kMaxGeneratedFileBytes) {
        return Error(
            fmt::format("site {}: file {}: a gif of {}x{} is outside 1x1 … 65535x65535 or over {} pixels",
                        site.name, f.path, w, h, kMaxGeneratedFileBytes));
      }
    }
    if (f.objects) {
      if (*f.objects == 0 || *f.objects > kMaxPageObjects) {
        return Error(fmt::format("site {}: file {}: objects must be between 1 and {}", site.name, f.path,
                                 kMaxPageObjects));
      }
      if (f.object_bytes == 0 || std::uint64_t{*f.objects} * f.object_bytes > kMaxGeneratedFileBytes) {
        return Error(fmt::format("site {}: file {}: {} objects of {} bytes exceed the limit of {} bytes",
                                 site.name, f.path, *f.objects, f.object_bytes, kMaxGeneratedFileBytes));
      }
    }
    if (f.text && f.text->size() > kMaxGeneratedFileBytes) {
      return Error(
          fmt::format("site {}: file {} is longer than {} bytes", site.name, f.path, kMaxGeneratedFileBytes));
    }
    if (!paths.insert(f.path).second) {
      return Error(fmt::format("site {}: file {} is listed twice", site.name, f.path));
    }
  }
  // The objects of a page are written next to it as objN.gif; they must not collide with listed files.
  for (const SiteFile& f : site.files) {
    if (!f.objects) continue;
    std::string dir = f.path.substr(0, f.path.rfind('/') + 1);
    for (std::uint32_t i = 1; i <= *f.objects; ++i) {
      std::string obj = dir + page_object_name(i);
      if (paths.count(obj)) {
        return Error(fmt::format("site {}: file {} collides with object {} of the page {}", site.name, obj, i,
                                 f.path));
      }
    }
  }
  return {};
}

}  // namespace

std::string page_object_name(std::uint32_t index) {
  return fmt::format("obj{}.gif", index);
}

std::string normalize_name(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  if (out.size() > 1 && out.back() == '.') out.pop_back();
  if (out.empty()) out = ".";
  return out;
}

bool in_zone(std::string_view name, std::string_view zone) {
  if (zone == ".") return true;
  if (name.size() < zone.size()) return false;
  if (name.substr(name.size() - zone.size()) != zone) return false;
  return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

const HostService* HostConfig::find(std::string_view service) const {
  for (const auto& s : services) {
    if (s.name == service) return &s;
  }
  return nullptr;
}

std::vector<std::string> HostConfig::zones() const {
  std::vector<std::string> out;
  if (const HostService* dns = find("dns")) {
    for (const auto& z : dns->settings.all("zones")) out.push_back(normalize_name(z));
  }
  return out;
}

std::string HostConfig::site() const {
  const HostService* web = find("web");
  const std::string* site = web ? web->settings.get("site") : nullptr;
  return site ? *site : std::string();
}

const HostConfig* LabConfig::find_host(std::string_view name) const {
  for (const auto& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

const GroupConfig* LabConfig::find_group(std::string_view name) const {
  for (const auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

const SiteConfig* LabConfig::find_site(std::string_view name) const {
  for (const auto& s : sites) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Expected<void, std::string> validate(const LabConfig& c) {
  if (!parse_net(c.lab.net)) {
    return Error(
        fmt::format("lab.net '{}' is not a loopback /16 like \"127.20\" (127.0 … 127.255)", c.lab.net));
  }
  if (c.lab.port_base < 1024 || c.lab.port_base > kMaxPortBase) {
    return Error(
        fmt::format("lab.port_base {} is outside 1024 … {} (high ports are port_base + 53, 80, 3128)",
                    c.lab.port_base, kMaxPortBase));
  }
  if (c.lab.transcript_lines == 0 || c.lab.transcript_lines > kMaxTranscriptLines) {
    return Error(fmt::format("lab.transcript_lines must be between 1 and {}", kMaxTranscriptLines));
  }
  const auto subnet = parse_subnet(c.lab.subnet);
  if (!subnet) {
    return Error(fmt::format(
        "lab.subnet '{}' is not an IPv4 prefix of 8 … 30 bits with its host bits zero, outside 127.0.0.0/8 "
        "(like \"198.18.0.0/15\", the benchmarking range of RFC 2544)",
        c.lab.subnet));
  }
  if (c.hosts.empty()) return Error(std::string("the lab has no hosts: add at least one [[host]]"));
  if (c.hosts.size() > kMaxHosts) {
    return Error(fmt::format("{} hosts, more than the limit of {}", c.hosts.size(), kMaxHosts));
  }

  std::set<std::string> names, addresses, served_zones;
  int resolvers = 0, proxies = 0, dashboards = 0;
  for (const HostConfig& h : c.hosts) {
    if (!valid_host_name(h.name)) {
      return Error(fmt::format(
          "host '{}': not a lower-case host name (letters, digits, '-', labels joined by dots)", h.name));
    }
    if (!names.insert(h.name).second) return Error(fmt::format("host {} is listed twice", h.name));
    if (h.address) {
      // An address is the host's in the mode of its range; network = "emulated" or "loopback" takes that
      // mode's range only, so that an address meant for the other is not silently ignored.
      const auto a = parse_ipv4(*h.address);
      const bool loopback = parse_loopback(*h.address).has_value();
      const bool in_subnet = a && subnet->contains(*a);
      const NetworkMode mode = c.lab.network;
      if (mode == NetworkMode::emulated && !in_subnet) {
        return Error(fmt::format(
            "host {}: address '{}' is not inside lab.subnet {} (network = \"emulated\" gives hosts addresses "
            "of the subnet)",
            h.name, *h.address, subnet->to_string()));
      }
      if (mode == NetworkMode::loopback && !loopback) {
        return Error(
            fmt::format("host {}: address '{}' is not an IPv4 address in 127.0.0.0/8 (like 127.20.0.9)",
                        h.name, *h.address));
      }
      if (!loopback && !in_subnet) {
        return Error(fmt::format(
            "host {}: address '{}' is neither in 127.0.0.0/8 (like 127.20.0.9, on loopback) nor inside "
            "lab.subnet {} (emulated)",
            h.name, *h.address, subnet->to_string()));
      }
      if (!addresses.insert(*h.address).second) {
        return Error(fmt::format("host {}: address {} is already another host's", h.name, *h.address));
      }
    }
    std::set<std::string> kinds;
    for (const HostService& service : h.services) {
      if (!kinds.insert(service.name).second)
        return Error(fmt::format("host {}: {} is listed twice: merge the tables", h.name, service.name));
      if (const LabRecipe* recipe = find_recipe(service.name); recipe && recipe->validate) {
        if (auto ok = recipe->validate(service, c); !ok)
          return Error(fmt::format("host {}: {}: {}", h.name, service.name, ok.error()));
      }
    }
    for (const std::string& z : h.zones()) {
      if (!valid_zone_name(z))
        return Error(fmt::format("host {}: dns zone '{}' is not a domain name", h.name, z));
      served_zones.insert(z);
    }
    resolvers += h.find("resolver") ? 1 : 0;
    proxies += h.find("proxy") ? 1 : 0;
    dashboards += h.find(kDashboard) ? 1 : 0;
  }
  if (resolvers > 1 || proxies > 1 || dashboards > 1) {
    return Error(
        std::string("the lab runs at most one resolver, one cache (proxy) and one dashboard: remove the "
                    "extra ones"));
  }
  if (resolvers == 1 && !served_zones.count(".")) {
    return Error(std::string("the resolver needs a root: give some host dns.zones = [\".\"]"));
  }
  std::set<std::string> extra_zones;
  for (const ZoneExtra& z : c.zones) {
    if (!served_zones.count(z.origin)) {
      return Error(fmt::format("zone {}: no host serves it: add it to some host's dns.zones", z.origin));
    }
    if (!extra_zones.insert(z.origin).second) {
      return Error(fmt::format("zone {} is listed twice: merge its records", z.origin));
    }
  }
  std::set<std::string> site_names;
  for (const SiteConfig& s : c.sites) {
    if (!site_names.insert(s.name).second) return Error(fmt::format("site {} is defined twice", s.name));
    if (auto ok = validate_site(s); !ok) return ok;
  }
  if (auto ok = validate_topology(c, c.lab.network); !ok) {
    const TopologyProblem& p = ok.error();
    return Error(p.line ? fmt::format("line {}: {}", p.line, p.message) : p.message);
  }
  return {};
}

}  // namespace endhost::lab
