// A unit is one service of one lab host as the dashboard sees it: the core::Service the registry built (owned
// by the lab's single ServiceHost), where it is in its life, and the counters it reports.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/service.hpp"

namespace endhost::lab {

// A named number the dashboard shows for a unit ("queries", "hits"), read straight from the service.
using UnitCounter = core::NamedCount;

// Where a unit is in its life, as the dashboard shows it. The lab moves it along: bound when built, listening
// once start() returned (its listeners accept on every loop), failed when start() threw, draining once the
// lab's shutdown began (listeners closed, requests in flight finishing).
enum class UnitState : std::uint8_t { bound, listening, failed, draining };
const char* to_string(UnitState state);

class Unit {
 public:
  explicit Unit(core::Service& service) : service_(service) {}

  void start() { service_.start(); }
  // Requests or queries answered so far (the service's first counter), and all its counters; any thread.
  std::uint64_t requests() const {
    const auto counters = service_.counters();
    return counters.empty() ? 0 : counters.front().value;
  }
  std::vector<UnitCounter> counters() const { return service_.counters(); }
  // Drops what the service has cached (the resolver's answers); false when it keeps no such cache.
  bool flush_cache() { return service_.flush_cache(); }

  UnitState state() const { return state_.load(std::memory_order_acquire); }
  void set_state(UnitState s) { state_.store(s, std::memory_order_release); }

 private:
  core::Service& service_;  // owned by the lab's ServiceHost, which outlives the units' users
  std::atomic<UnitState> state_{UnitState::bound};
};

}  // namespace endhost::lab
