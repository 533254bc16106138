#include "dns/server/zone_catalog.hpp"

#include "dns/journal.hpp"
#include "dns/serial.hpp"

namespace endhost::dns::server {

ZoneCatalog::ZoneCatalog(ZoneCatalogConfig config)
    : config_(std::move(config)),
      primary_origins_(config_.primaries.size()),
      current_(std::make_shared<const ZoneSet>()) {}

Expected<void, std::string> ZoneCatalog::load_initial() {
  auto set = std::make_shared<ZoneSet>();
  for (std::size_t i = 0; i < config_.primaries.size(); ++i) {
    auto zone = load_primary_zone(config_.primaries[i], config_.limits);
    if (!zone) return Unexpected(zone.error());
    primary_origins_[i] = zone->origin();
    if (auto ok = set->add(std::move(*zone)); !ok)
      return Unexpected(config_.primaries[i].file + ": " + ok.error());
  }
  for (const auto& origin : config_.secondaries) {
    if (set->find_exact(origin))
      return Unexpected("zone " + origin.to_string() + " is both a primary (--zone) and a secondary");
    auto saved = load_saved_zone(saved_zone_path(config_.state_dir, origin), origin, config_.limits);
    if (!saved) return Unexpected(saved.error());
    if (*saved) {
      if (auto ok = set->add(std::move(**saved)); !ok) return Unexpected(ok.error());
    }
  }
  current_ = std::move(set);
  return {};
}

std::shared_ptr<const ZoneSet> ZoneCatalog::rebuild(std::vector<Zone> fresh, const Name* drop,
                                                    std::vector<std::string>* errors) const {
  auto set = std::make_shared<ZoneSet>();
  auto add = [&](Zone zone) {
    if (auto ok = set->add(std::move(zone)); !ok && errors) errors->push_back(ok.error());
  };
  std::vector<Name> placed;
  for (auto& zone : fresh) {
    placed.push_back(zone.origin());
    add(std::move(zone));
  }
  auto carry = [&](const Name& origin) {
    if (drop && *drop == origin) return;
    for (const auto& p : placed) {
      if (p == origin) return;
    }
    if (const Zone* old = current_->find_exact(origin)) {
      placed.push_back(origin);
      add(copy_zone(*old));
    }
  };
  for (const auto& origin : primary_origins_) {
    if (origin) carry(*origin);
  }
  for (const auto& origin : config_.secondaries) carry(origin);
  // The IXFR history (RFC 1995 §4): a zone whose serial grew gets the previous history plus the difference
  // between the two versions; an unchanged serial keeps its history; anything else starts none.
  for (const auto& origin : placed) {
    const Zone* now = set->find_exact(origin);
    const Zone* before = current_->find_exact(origin);
    if (!now || !before) continue;
    auto history = current_->journal(origin);
    if (now->soa().serial == before->soa().serial) {
      set->set_journal(origin, std::move(history));
    } else if (serial_newer(now->soa().serial, before->soa().serial)) {
      set->set_journal(origin,
                       ZoneJournal::extend(history.get(), diff_zones(*before, *now), config_.journal));
    }
  }
  return set;
}

ZoneCatalog::ReloadReport ZoneCatalog::reload() {
  ReloadReport report;
  std::vector<Zone> fresh;
  std::vector<std::optional<Name>> origins = primary_origins_;
  for (std::size_t i = 0; i < config_.primaries.size(); ++i) {
    auto zone = load_primary_zone(config_.primaries[i], config_.limits);
    if (!zone) {
      report.errors.push_back(zone.error());
      continue;
    }
    const Zone* old = current_->find_exact(zone->origin());
    if (!old || serial_newer(zone->soa().serial, old->soa().serial)) report.grown.push_back(zone->origin());
    origins[i] = zone->origin();
    fresh.push_back(std::move(*zone));
  }
  // A file whose origin changed no longer carries its old zone over.
  primary_origins_ = std::move(origins);
  current_ = rebuild(std::move(fresh), nullptr, &report.errors);
  report.zones = current_->size();
  return report;
}

void ZoneCatalog::install(Zone zone) {
  std::vector<Zone> fresh;
  fresh.push_back(std::move(zone));
  current_ = rebuild(std::move(fresh), nullptr, nullptr);
}

void ZoneCatalog::remove(const Name& origin) {
  current_ = rebuild({}, &origin, nullptr);
}

}  // namespace endhost::dns::server
