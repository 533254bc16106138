#include "dns/server/zone_control.hpp"

namespace endhost::dns::server {

ZoneControl::ZoneControl(ZoneCatalogConfig config, LoopZones& zones, asio::io_context& control,
                         core::Logger& log)
    : catalog_(std::move(config)), zones_(zones), control_(control), log_(log) {}

ZoneControl::~ZoneControl() {
  worker_.shutdown();
}

Expected<void, std::string> ZoneControl::load_initial() {
  if (auto ok = catalog_.load_initial(); !ok) return ok;
  published_ = catalog_.current();
  zones_.set_initial(published_);
  return {};
}

void ZoneControl::publish(std::shared_ptr<const ZoneSet> set, std::vector<Name> grown,
                          std::function<void()> event) {
  published_ = std::move(set);
  // The event and NOTIFY wait until every loop answers from the new set: a secondary that asks at once must
  // get the new serial, and "zones reloaded" in the log means the new data is live.
  zones_.publish(published_, [this, set = published_, grown = std::move(grown), event = std::move(event)] {
    asio::post(control_, [this, set, grown, event] {
      if (event) event();
      if (!notifier_ || !notifier_->enabled()) return;
      for (const auto& origin : grown) {
        if (const Zone* zone = set->find_exact(origin)) notifier_->notify(*zone);
      }
    });
  });
}

void ZoneControl::reload() {
  auto queued = worker_.post([this] {
    auto report = catalog_.reload();
    auto set = catalog_.current();
    asio::post(control_, [this, report = std::move(report), set = std::move(set)] {
      for (const auto& e : report.errors) {
        log_.error("zone not reloaded, still serving the previous version",
                   {{"service", "dns"}, {"error", e}});
      }
      std::size_t zones = report.zones, changed = report.grown.size(), errors = report.errors.size();
      publish(set, report.grown, [this, zones, changed, errors] {
        log_.info("zones reloaded",
                  {{"service", "dns"}, {"zones", zones}, {"changed", changed}, {"errors", errors}});
      });
    });
  });
  if (!queued) log_.error("zones not reloaded", {{"service", "dns"}, {"error", queued.error()}});
}

ZoneControl::InstallJob ZoneControl::install_job(Name origin, std::vector<ResourceRecord> records,
                                                 std::string path) {
  return [this, origin, records = std::move(records), path]() -> InstallOutcome {
    auto zone = build_zone(origin, records);
    if (!zone) return {"the transferred zone is not valid: " + zone.error(), nullptr};
    // Durable before it is served: a restart must never go back to an older copy than one we answered from.
    if (auto saved = save_zone(path, origin, records); !saved) return {saved.error(), nullptr};
    catalog_.install(std::move(*zone));
    return {"", catalog_.current()};
  };
}

ZoneControl::RemoveJob ZoneControl::remove_job(Name origin) {
  return [this, origin] {
    catalog_.remove(origin);
    return catalog_.current();
  };
}

// The jobs are built by plain functions, not by lambdas inside these coroutines: GCC 12 can bind a lambda
// capture of a coroutine parameter to the caller's copy instead of the frame's (a use after free).
awaitable<Expected<void, std::string>> ZoneControl::install(Name origin, std::vector<ResourceRecord> records,
                                                            std::string path) {
  InstallJob job = install_job(origin, std::move(records), path);
  auto outcome = co_await worker_.run(job);
  if (!outcome) co_return Unexpected(outcome.error());
  if (!outcome->set) co_return Unexpected(outcome->error);
  publish(outcome->set, {}, {});
  co_return Expected<void, std::string>();
}

awaitable<void> ZoneControl::remove(Name origin) {
  RemoveJob job = remove_job(origin);
  auto set = co_await worker_.run(job);
  if (!set) {
    log_.error("zone not removed", {{"service", "dns"}, {"error", set.error()}});
    co_return;
  }
  publish(*set, {}, {});
}

}  // namespace endhost::dns::server
