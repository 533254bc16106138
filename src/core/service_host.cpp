#include "core/service_host.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>

namespace endhost::core {

std::uint64_t raise_open_file_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

ServiceHost::ServiceHost(ServiceHostOptions options, Logger& log)
    : options_(options), log_(log), loops_(options.threads) {
  const std::uint64_t open_files = raise_open_file_limit();
  log_.debug("open file limit", {{"soft", open_files}});
  // Registered now, not in run(): services log "listening" before run(), and a SIGHUP or SIGTERM that arrives
  // in between must be queued (Asio keeps it for the first wait), not kill the process with the default
  // action.
  if (options_.handle_signals) {
    signals_ = std::make_unique<asio::signal_set>(loops_[0].io(), SIGINT, SIGTERM, SIGHUP);
  }
}

ServiceHost::~ServiceHost() {
  end_coroutines();
  // Newest first: a service adopted later may refer to one adopted before it.
  while (!services_.empty()) services_.pop_back();
}

Service& ServiceHost::adopt(std::unique_ptr<Service> service) {
  Service& s = *service;
  services_.push_back(std::move(service));
  add(s);
  reload_.push_back([&s] { s.reload(); });
  return s;
}

bool ServiceHost::add(Drainable& server) {
  if (std::find(drainables_.begin(), drainables_.end(), &server) != drainables_.end()) {
    ++duplicates_;
    return false;
  }
  drainables_.push_back(&server);
  return true;
}

std::size_t ServiceHost::in_flight() const {
  std::size_t n = background_.in_flight();
  for (const auto* d : drainables_) n += d->in_flight();
  return n;
}

int ServiceHost::run() {
  if (signals_) asio::co_spawn(loops_[0].io(), watch_signals(), asio::detached);
  loops_.run();
  for (auto& s : services_) s->stopped();
  end_coroutines();
  return exit_code_;
}

void ServiceHost::end_coroutines() {
  if (coroutines_ended_) return;
  coroutines_ended_ = true;
  loops_.shutdown();
  signals_.reset();
}

void ServiceHost::request_shutdown() {
  asio::post(loops_[0].io(), [this] { begin_shutdown(); });
}

awaitable<void> ServiceHost::watch_signals() {
  for (;;) {
    auto [ec, sig] = co_await signals_->async_wait(use_nothrow);
    if (ec) co_return;
    if (sig == SIGHUP) {
      log_.info("SIGHUP: reloading");
      for (auto& fn : reload_) fn();
      continue;
    }
    if (shutting_down_) {
      // A second Ctrl-C means "now": skip the rest of the grace period.
      log_.warn("second signal: stopping at once");
      for (auto* d : drainables_) d->abort();
      exit_code_ = 1;
      loops_.stop();
      co_return;
    }
    log_.info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    begin_shutdown();
    // Say how long the drain may take and how to cut it short, when there is something to wait for.
    if (const std::size_t busy = in_flight(); busy > 0) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.grace).count();
      log_.warn("waiting up to " + std::to_string(seconds) + " s for " + std::to_string(busy) +
                (busy == 1 ? " transfer" : " transfers") + " in flight (--grace); " +
                (sig == SIGINT ? "press Ctrl-C again" : "send SIGTERM again") + " to stop at once");
    }
  }
}

void ServiceHost::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& fn : shutdown_) fn();
  for (auto* d : drainables_) d->drain();
  asio::co_spawn(loops_[0].io(), wait_for_drain(), asio::detached);
}

awaitable<void> ServiceHost::wait_for_drain() {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + options_.grace;
  asio::steady_timer timer(loops_[0].io());
  while (in_flight() > 0 && clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_nothrow);
  }
  if (const std::size_t left = in_flight(); left > 0) {
    log_.warn("grace period over: closing what is left", {{"in_flight", left}});
    for (auto* d : drainables_) d->abort();
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(use_nothrow);
    exit_code_ = 1;
  } else {
    log_.info("stopped cleanly");
  }
  if (signals_) signals_->cancel();
  loops_.stop();
}

}  // namespace endhost::core
