#include "dns/server/zone_files.hpp"

#include "core/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace endhost::dns::server {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

Expected<PrimaryZoneSpec, std::string> parse_primary_zone_spec(std::string_view text) {
  PrimaryZoneSpec spec;
  auto eq = text.find('=');
  auto slash = text.find('/');
  if (eq != std::string_view::npos && (slash == std::string_view::npos || eq < slash)) {
    std::string_view origin = text.substr(0, eq);
    auto name = Name::from_string(origin);  // relative to the root: "example.com" is absolute too
    if (origin.empty() || !name)
      return Unexpected("--zone " + std::string(text) + ": '" + std::string(origin) +
                        "' is not a zone name (write ORIGIN=FILE, e.g. example.com=example.com.zone)");
    spec.origin = *name;
    text.remove_prefix(eq + 1);
  }
  if (text.empty()) return Unexpected(std::string("--zone needs a file name"));
  spec.file = std::string(text);
  return spec;
}

Expected<Zone, std::string> load_primary_zone(const PrimaryZoneSpec& spec, const ZoneLimits& limits) {
  ZoneParseOptions options;
  options.limits = limits;
  options.include_loader = file_loader(limits.max_file_bytes);
  if (spec.origin) {
    options.origin = *spec.origin;
    auto zone = load_zone_file(spec.file, options);
    if (!zone) return Unexpected(zone.error().to_string());
    return std::move(*zone);
  }
  auto text = options.include_loader(spec.file);
  if (!text) return Unexpected(spec.file + ": " + text.error());
  auto records = parse_master_file(*text, spec.file, options);
  if (!records) return Unexpected(records.error().to_string());
  const ResourceRecord* soa = nullptr;
  for (const auto& rr : *records) {
    if (rr.type != RRType::SOA) continue;
    if (soa)
      return Unexpected(spec.file +
                        ": more than one SOA record; name the zone with --zone ORIGIN=" + spec.file);
    soa = &rr;
  }
  if (!soa) return Unexpected(spec.file + ": no SOA record, so this is not a zone file");
  auto zone = build_zone(soa->name, *records);
  if (!zone) return Unexpected(spec.file + ": " + zone.error());
  return std::move(*zone);
}

Zone copy_zone(const Zone& zone) {
  auto records = zone.records();
  auto copy = build_zone(zone.origin(), records);
  // A valid zone's records always build a valid zone again.
  return std::move(*copy);
}

std::string saved_zone_path(const std::string& state_dir, const Name& origin) {
  std::string name;
  if (origin.is_root()) {
    name = "root";
  } else {
    std::string text = origin.to_string();
    text.pop_back();  // the trailing dot
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : text) {
      bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '_' || c == '.';
      if (plain) {
        name += static_cast<char>(c);
      } else {
        name += '%';
        name += kHex[c >> 4];
        name += kHex[c & 15];
      }
    }
    // A leading dot would hide the file; "." and ".." cannot occur since names have no empty labels.
    if (!name.empty() && name[0] == '.') name.insert(0, "%2E");
  }
  std::string dir = state_dir.empty() ? "." : state_dir;
  if (dir.back() != '/') dir += '/';
  return dir + name + ".zone";
}

Expected<void, std::string> save_zone(const std::string& path, const Name& origin,
                                      std::span<const ResourceRecord> records) {
  std::string text = "; " + origin.to_string() + " as transferred by endhost dns serve --secondary\n";
  text += "$ORIGIN " + origin.to_string() + "\n";
  for (const auto& rr : records) {
    text += to_string(rr);
    text += '\n';
  }
  return core::write_file_durably(path, text);
}

Expected<std::optional<Zone>, std::string> load_saved_zone(const std::string& path, const Name& origin,
                                                           const ZoneLimits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<Zone>();
    return Unexpected("cannot read " + path + ": " + errno_text());
  }
  PrimaryZoneSpec spec{path, origin};
  auto zone = load_primary_zone(spec, limits);
  if (!zone) return Unexpected(zone.error());
  return std::optional<Zone>(std::move(*zone));
}

}  // namespace endhost::dns::server
