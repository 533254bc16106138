// A unit is one service of one lab host, built from the service's own library inside the lab's single
// ServiceHost: it binds the host's address, registers its servers for the graceful drain, writes its
// transcript into the lab's ring buffer and its metrics into the host's own registry, and tells the
// dashboard how busy it is. src/lab/units/*.cpp hold one adapter per service kind.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/metrics.hpp"
#include "core/service_host.hpp"
#include "core/transcript.hpp"
#include "lab/address_plan.hpp"
#include "lab/zone_plan.hpp"

namespace endhost::lab {

// What every unit may read while it is built: the plan, the files the lab wrote, where its state goes.
struct LabFiles {
  std::string state_dir;
  std::string zones_dir;  // STATE/zones: one master file per zone, and root.hints
  std::string sites_dir;  // STATE/sites/<site>/
  const ZonePlan* zones = nullptr;
  const AddressPlan* plan = nullptr;
};

struct UnitContext {
  core::ServiceHost& host;
  core::MetricsRegistry& metrics;  // this lab host's registry (the dashboard shows it per host)
  core::TranscriptSink* transcripts;
  const PlannedHost& planned;
  const PlannedService& service;
  const LabFiles& files;

  // "www.someschool.edu/web": the transcript's service name and the dashboard's key.
  std::string key() const { return planned.name + "/" + to_string(service.kind); }
  core::Transcript transcript() const { return core::Transcript(transcripts, key()); }
};

// A named number the dashboard shows for a unit ("queries", "hits").
struct UnitCounter {
  std::string name;
  std::uint64_t value = 0;
};

class Unit {
 public:
  virtual ~Unit() = default;
  // Starts accepting. Called once every unit of the lab is bound.
  virtual void start() = 0;
  // Requests or queries answered so far, and the finer counters; read from any thread.
  virtual std::uint64_t requests() const = 0;
  virtual std::vector<UnitCounter> counters() const { return {}; }
};

using UnitResult = Expected<std::unique_ptr<Unit>, std::string>;
using UnitFactory = std::function<UnitResult(UnitContext&)>;

// The adapters (src/lab/units/). A kind without one in this build is reported as unavailable.
UnitResult make_echo_unit(UnitContext& ctx);
UnitResult make_ping_unit(UnitContext& ctx);
UnitResult make_dns_unit(UnitContext& ctx);
UnitResult make_resolver_unit(UnitContext& ctx);
UnitResult make_web_unit(UnitContext& ctx);
UnitResult make_proxy_unit(UnitContext& ctx);
const UnitFactory* unit_factory(ServiceKind kind);

// Logs `listening service=<kind> host=<name> protocol=<p> address=<a:p>` as `endhost … serve` does.
void log_listening(core::Logger& log, const UnitContext& ctx, const char* protocol,
                   const std::string& address);

}  // namespace endhost::lab
