// The control side of the authoritative server's zones: it owns the ZoneCatalog and the worker thread that
// changes it (SIGHUP reloads, secondaries' transfers, expiry), and publishes each new set to every loop
// (LoopZones), then sends NOTIFY for zones whose serial grew. Its methods run on the control loop (loop 0);
// the catalog itself is touched only by the worker, one change at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "core/log.hpp"
#include "dns/server/loop_zones.hpp"
#include "dns/server/notify_sender.hpp"
#include "dns/server/zone_catalog.hpp"

namespace endhost::dns::server {

class ZoneControl {
 public:
  ZoneControl(ZoneCatalogConfig config, LoopZones& zones, asio::io_context& control, core::Logger& log);
  ~ZoneControl();  // waits for the worker's current job

  // Before the loops run: loads every zone and gives each loop the first set.
  Expected<void, std::string> load_initial();

  // When set, zones whose serial grew in a reload are announced with NOTIFY.
  void set_notifier(NotifySender* notifier) { notifier_ = notifier; }

  // SIGHUP (control loop): reload every primary zone file on the worker, then publish. A file that fails to
  // load keeps serving its previous contents, and the error is logged with file:line.
  void reload();

  // A secondary's transfer (control loop): builds and validates the zone, writes it durably to `path`, then
  // publishes it. The error is a sentence; on error nothing changes.
  awaitable<Expected<void, std::string>> install(Name origin, std::vector<ResourceRecord> records,
                                                 std::string path);
  // Stops serving `origin` (a secondary whose data expired).
  awaitable<void> remove(Name origin);

  // The set most recently published (control loop).
  const ZoneSet& published() const { return *published_; }

 private:
  struct InstallOutcome {
    std::string error;
    std::shared_ptr<const ZoneSet> set;  // null on error
  };
  using InstallJob = std::function<InstallOutcome()>;
  using RemoveJob = std::function<std::shared_ptr<const ZoneSet>()>;
  InstallJob install_job(Name origin, std::vector<ResourceRecord> records, std::string path);
  RemoveJob remove_job(Name origin);
  // Publishes `set` to every loop; once all serve it, logs `event` (if any) and sends NOTIFY for `grown`.
  void publish(std::shared_ptr<const ZoneSet> set, std::vector<Name> grown, std::function<void()> event);

  ZoneCatalog catalog_;  // worker only, once the loops run
  LoopZones& zones_;
  asio::io_context& control_;
  core::Logger& log_;
  NotifySender* notifier_ = nullptr;
  std::shared_ptr<const ZoneSet> published_;
  core::BlockingPool worker_{"dns-zones", 1};
};

}  // namespace endhost::dns::server
