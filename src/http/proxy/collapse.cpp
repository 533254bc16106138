#include "http/proxy/collapse.hpp"

namespace endhost::http::proxy {

std::shared_ptr<Flights::Flight> Flights::join(std::string_view key, bool& leader) {
  std::lock_guard lock(mu_);
  auto it = flights_.find(std::string(key));
  if (it != flights_.end()) {
    leader = false;
    return it->second;
  }
  auto flight = std::make_shared<Flight>();
  flight->key = std::string(key);
  flights_.emplace(flight->key, flight);
  leader = true;
  return flight;
}

bool Flights::active(std::string_view key) {
  std::lock_guard lock(mu_);
  return flights_.count(std::string(key)) > 0;
}

void Flights::finish(const std::shared_ptr<Flight>& flight) {
  {
    std::lock_guard lock(mu_);
    auto it = flights_.find(flight->key);
    if (it != flights_.end() && it->second == flight) flights_.erase(it);
  }
  std::vector<std::pair<asio::any_io_executor, std::shared_ptr<asio::steady_timer>>> waiters;
  {
    std::lock_guard lock(flight->mu);
    if (flight->done) return;
    flight->done = true;
    waiters.swap(flight->waiters);
  }
  // A timer may only be touched from its own loop: post the cancel there.
  for (auto& [executor, timer] : waiters) asio::post(executor, [t = timer] { t->cancel(); });
}

awaitable<void> Flights::wait(std::shared_ptr<Flight> flight, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, timeout);
  {
    std::lock_guard lock(flight->mu);
    if (flight->done) co_return;
    flight->waiters.emplace_back(executor, timer);
  }
  co_await timer->async_wait(use_nothrow);
}

}  // namespace endhost::http::proxy
