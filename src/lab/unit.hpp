// A unit is one service of one lab host, built from the service's own library inside the lab's single
// ServiceHost: it binds the host's address, registers its servers for the graceful drain, writes its
// transcript into the lab's ring buffer and its metrics into the host's own registry, and tells the
// dashboard how busy it is. src/lab/units/*.cpp hold one adapter per service kind.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
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

// A named number the dashboard shows for a unit ("queries", "hits"), read straight from the service.
using UnitCounter = core::NamedCount;

// Where a unit is in its life, as the dashboard shows it. The lab moves it along: bound when built, listening
// once start() returned (its listeners accept on every loop), failed when start() threw, draining once the
// lab's shutdown began (listeners closed, requests in flight finishing).
enum class UnitState : std::uint8_t { bound, listening, failed, draining };
const char* to_string(UnitState state);

class Unit {
 public:
  virtual ~Unit() = default;
  // Starts accepting. Called once every unit of the lab is bound.
  virtual void start() = 0;
  // Requests or queries answered so far, and the finer counters; read from any thread.
  virtual std::uint64_t requests() const = 0;
  virtual std::vector<UnitCounter> counters() const { return {}; }
  // Drops what the service has cached (the resolver's answers), so the next question starts cold. Returns
  // false when the service keeps no such cache. Thread-safe.
  virtual bool flush_cache() { return false; }

  UnitState state() const { return state_.load(std::memory_order_acquire); }
  void set_state(UnitState s) { state_.store(s, std::memory_order_release); }

 private:
  std::atomic<UnitState> state_{UnitState::bound};
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
