// The one service skeleton (STYLE.md, practice 7): every `endhost <service> serve`, and the lab, runs its
// servers inside a ServiceHost. It owns the event loops, the logger and the metrics; it turns SIGINT/SIGTERM
// into a graceful drain (stop accepting, let in-flight work finish within the grace period, then cut off) and
// SIGHUP into a reload callback, and run() returns 0 after a clean shutdown.
//
// Lifetimes: the host owns the services given to adopt(). When run() returns — and at the latest in the
// destructor — it first destroys every coroutine still pending on its loops (sessions cut off after the grace
// period, background work), then the services in reverse order of adoption, then the loops. So a session
// never outlives what it refers to, whatever order the caller declares things in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/drainable.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/work_counter.hpp"

namespace endhost::core {

struct ServiceHostOptions {
  std::size_t threads = 0;  // 0: one loop per core
  std::chrono::milliseconds grace{10'000};
  bool handle_signals = true;
};

// Raises this process's soft limit on open files to its hard limit, as nginx's worker_rlimit_nofile does: a
// server holds a descriptor per connection, and the usual soft limit of 1024 (kept low for select(2), which
// we never use) would refuse the 1025th. Returns the soft limit now in force (0 if it cannot be read).
// ServiceHost calls it on construction, so every service gets it.
std::uint64_t raise_open_file_limit() noexcept;

class ServiceHost {
 public:
  ServiceHost(ServiceHostOptions options, Logger& log);
  ~ServiceHost();

  EventLoops& loops() { return loops_; }
  Logger& log() { return log_; }
  MetricsRegistry& metrics() { return metrics_; }

  // Takes ownership of a service: it is drained with the others, reloaded on SIGHUP, told when the loops
  // stopped, and destroyed after every coroutine on the loops ended. Returns it.
  Service& adopt(std::unique_ptr<Service> service);
  template <class S>
  S& adopt(std::unique_ptr<S> service) {
    S& s = *service;
    adopt(std::unique_ptr<Service>(std::move(service)));
    return s;
  }

  // Servers that take part in shutdown. Not owned; each must outlive the host. A server given twice is
  // drained once (returns false the second time, and counts the mistake for tests to find).
  bool add(Drainable& server);
  std::size_t drainable_count() const { return drainables_.size(); }
  std::size_t duplicate_registrations() const { return duplicates_; }
  // Detached work not owned by any adopted service (it holds a token): counted as in flight by the drain.
  WorkCounter& background() { return background_; }
  // What the drain waits for: every server's in-flight work and the background work.
  std::size_t in_flight() const;
  // Called on loop 0 when SIGHUP arrives (reload zones, reopen logs…).
  void on_reload(std::function<void()> fn) { reload_.push_back(std::move(fn)); }
  // Called on loop 0 when shutdown begins, before draining (for work that is not a Drainable).
  void on_shutdown(std::function<void()> fn) { shutdown_.push_back(std::move(fn)); }

  // Runs until shutdown completes. Returns 0 after a graceful drain, 1 when the grace period ran out.
  int run();
  // Begins a graceful shutdown, as SIGTERM does. Thread-safe.
  void request_shutdown();

 private:
  void begin_shutdown();
  void end_coroutines();
  awaitable<void> watch_signals();
  awaitable<void> wait_for_drain();

  ServiceHostOptions options_;
  Logger& log_;
  EventLoops loops_;
  MetricsRegistry metrics_;
  WorkCounter background_;
  std::vector<std::unique_ptr<Service>> services_;  // destroyed by ~ServiceHost, after end_coroutines()
  std::vector<Drainable*> drainables_;
  std::size_t duplicates_ = 0;
  std::vector<std::function<void()>> reload_;
  std::vector<std::function<void()>> shutdown_;
  std::unique_ptr<asio::signal_set> signals_;
  bool shutting_down_ = false;  // loop 0 only
  bool coroutines_ended_ = false;
  int exit_code_ = 0;
};

}  // namespace endhost::core
