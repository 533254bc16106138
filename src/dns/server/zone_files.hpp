// Zone files as the authoritative server uses them: loading a primary zone named on the command line, and
// keeping a secondary's transferred copy on disk durably (temp file, fsync, rename, fsync of the directory)
// so that what was acknowledged survives a crash and a restart serves it before the first refresh.
// Blocking file I/O: call from the server's worker thread or at start-up, never on an event loop.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/expected.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::dns::server {

// `--zone [ORIGIN=]FILE`. Without an origin, the zone's origin is the owner of the file's only SOA record
// (so the file's own $ORIGIN names it).
struct PrimaryZoneSpec {
  std::string file;
  std::optional<Name> origin;
};
// Parses the command-line form. ORIGIN= is recognised only before the first '/', so paths may contain '='.
Expected<PrimaryZoneSpec, std::string> parse_primary_zone_spec(std::string_view text);

// Loads and validates a zone. Errors read "file:line: what is wrong".
Expected<Zone, std::string> load_primary_zone(const PrimaryZoneSpec& spec, const ZoneLimits& limits);

// A fresh Zone with the same content (Zone is move-only; a new ZoneSet needs its own copy of unchanged
// zones).
Zone copy_zone(const Zone& zone);

// Where a secondary's copy of `origin` lives under `state_dir`. Characters other than letters, digits, '-',
// '_' and '.' are written %XX, so no zone name can escape the directory; the root zone is "root.zone".
std::string saved_zone_path(const std::string& state_dir, const Name& origin);

// Writes `records` (SOA first, as received) in master-file format to `path` durably: a temp file in the same
// directory, fsync, rename over `path`, fsync of the directory. The error is a sentence with the path.
Expected<void, std::string> save_zone(const std::string& path, const Name& origin,
                                      std::span<const ResourceRecord> records);

// Loads a file written by save_zone. Absent file: an empty optional, not an error.
Expected<std::optional<Zone>, std::string> load_saved_zone(const std::string& path, const Name& origin,
                                                           const ZoneLimits& limits);

}  // namespace endhost::dns::server
