// The zones one authoritative server is configured with (primaries from zone files, secondaries from
// transfers) and the immutable ZoneSet it currently serves. Every change builds a whole new ZoneSet
// (unchanged zones are copied), so the event loops keep answering from the old set until the new one is
// published to them (zone_publisher.hpp): a reload never drops or half-answers a query.
//
// Not thread-safe: it is used only from the server's single worker thread (and before the loops start),
// which also serializes reloads and transfers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "dns/journal.hpp"
#include "dns/name.hpp"
#include "dns/server/zone_files.hpp"
#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::dns::server {

struct ZoneCatalogConfig {
  std::vector<PrimaryZoneSpec> primaries;
  std::vector<Name> secondaries;  // origins; their data comes from transfers
  std::string state_dir;          // where secondaries keep their copies (required with secondaries)
  ZoneLimits limits;
  JournalLimits journal;  // the IXFR history kept per zone, in memory
};

class ZoneCatalog {
 public:
  explicit ZoneCatalog(ZoneCatalogConfig config);

  // Start-up: every primary file must load; secondaries serve their saved copy if there is one. The first
  // error is returned (file:line: what).
  Expected<void, std::string> load_initial();

  struct ReloadReport {
    std::vector<std::string> errors;  // files that failed; those zones keep their previous contents
    std::vector<Name> grown;          // zones that are new or whose SOA serial grew (RFC 1982): NOTIFY them
    std::size_t zones = 0;
  };
  // SIGHUP: reloads every primary file and builds a new set (secondaries are carried over).
  ReloadReport reload();

  // A secondary's freshly transferred zone replaces its previous copy (or adds it).
  void install(Zone zone);
  // Stops serving a secondary zone (expired: the primary was unreachable for the SOA EXPIRE time).
  void remove(const Name& origin);

  std::shared_ptr<const ZoneSet> current() const { return current_; }
  const ZoneCatalogConfig& config() const { return config_; }

 private:
  std::shared_ptr<const ZoneSet> rebuild(std::vector<Zone> fresh, const Name* drop,
                                         std::vector<std::string>* errors) const;

  ZoneCatalogConfig config_;
  std::vector<std::optional<Name>> primary_origins_;  // last origin each primary file had
  std::shared_ptr<const ZoneSet> current_;
};

}  // namespace endhost::dns::server
