// Each event loop's view of the zones being served. Every loop holds its own std::shared_ptr to the current
// immutable ZoneSet and replaces it only in a handler posted to that loop, so the query path reads a plain
// pointer owned by its own thread: no atomic, no lock, no shared cache line. A set stays alive while any
// loop (or an AXFR in progress, which holds a copy) still uses it, so publishing never drops a query.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"
#include "dns/zone.hpp"

namespace endhost::dns::server {

class LoopZones {
 public:
  explicit LoopZones(core::EventLoops& loops) : loops_(loops), slots_(loops.size()) {}

  // Before the loops run: every loop starts with `set`.
  void set_initial(const std::shared_ptr<const ZoneSet>& set) {
    for (auto& s : slots_) s.zones = set;
  }
  // From any thread: each loop switches to `set` at its next turn. `then` runs on the last loop to switch,
  // once every loop answers from `set` (so a log line written there is true when it appears).
  void publish(const std::shared_ptr<const ZoneSet>& set, std::function<void()> then = {}) {
    auto left = std::make_shared<std::atomic<std::size_t>>(slots_.size());
    auto done = std::make_shared<std::function<void()>>(std::move(then));
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      asio::post(loops_[i].io(), [this, i, set, left, done] {
        slots_[i].zones = set;
        if (left->fetch_sub(1, std::memory_order_acq_rel) == 1 && *done) (*done)();
      });
    }
  }
  // On loop `i`'s thread only.
  const ZoneSet& get(std::size_t i) const { return *slots_[i].zones; }
  const std::shared_ptr<const ZoneSet>& hold(std::size_t i) const { return slots_[i].zones; }

 private:
  struct alignas(64) Slot {
    std::shared_ptr<const ZoneSet> zones;
  };
  core::EventLoops& loops_;
  std::vector<Slot> slots_;
};

}  // namespace endhost::dns::server
