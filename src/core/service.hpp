// The skeleton every server implements, for `endhost <service> serve` and the lab alike: a Service is built
// from a configuration that has already validated itself, binds its listeners through a Binder (which logs
// the `listening` line), starts accepting, drains, reloads on SIGHUP and reports named counters for the
// dashboard. A ServiceHost owns it (ServiceHost::adopt) and drains it with the others; what its sessions and
// background coroutines refer to lives in the Service, and the host ends those coroutines before it destroys
// the Service (service_host.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/binder.hpp"
#include "core/drainable.hpp"
#include "core/expected.hpp"
#include "core/metrics.hpp"
#include "core/work_counter.hpp"

namespace endhost::core {

// A number the dashboard shows for a service ("queries", "hits"), read straight from the service's counters.
struct NamedCount {
  std::string name;
  std::uint64_t value = 0;
};

class Service : public Drainable {
 public:
  ~Service() override = default;

  // Binds every listener through `binder`. The error is one line saying what could not be bound.
  virtual Expected<void, std::string> bind(Binder& binder) = 0;
  // Starts accepting, on every loop. Called once, after bind() and before or while the loops run.
  virtual void start() = 0;
  // SIGHUP: re-read what may change (zone files, certificates, log files). Called on loop 0.
  virtual void reload() {}
  // The service's counters, for the dashboard. Thread-safe.
  virtual std::vector<NamedCount> counters() const { return {}; }
  // Called once after the loops stopped and before pending coroutines are destroyed: flush logs, close idle
  // client connections.
  virtual void stopped() {}
  // Files and directories the service writes (state, caches, logs): a root process gives them to the user
  // it becomes after binding (--user), before the first request is read.
  virtual std::vector<std::string> writable_paths() const { return {}; }
  // The body of the admin listener's /metrics (Prometheus text): by default the host's registry, which the
  // service counts into; a service may add gauges computed on demand (the cache's hit ratio).
  virtual std::string metrics_text(const MetricsRegistry& shared) const { return shared.render_prometheus(); }
  // Drops what the service has cached (the resolver's answers), so the next question starts cold; false when
  // it keeps no such cache. Thread-safe. The lab's dashboard offers it.
  virtual bool flush_cache() { return false; }

  // Drainable, over the parts registered with drain_with() and the background work. Thread-safe.
  void drain() override {
    for (auto* p : parts_) p->drain();
  }
  std::size_t in_flight() const override {
    std::size_t n = background_.in_flight();
    for (auto* p : parts_) n += p->in_flight();
    return n;
  }
  void abort() override {
    for (auto* p : parts_) p->abort();
  }

 protected:
  // A listener (or anything drainable) the service owns; it must live as long as the service.
  void drain_with(Drainable& part) { parts_.push_back(&part); }
  // Detached work that outlives the request that started it holds a token of this counter.
  WorkCounter& background() { return background_; }

 private:
  std::vector<Drainable*> parts_;
  WorkCounter background_;
};

}  // namespace endhost::core
