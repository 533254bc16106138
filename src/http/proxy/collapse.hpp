// Request collapsing: concurrent misses for the same cache key make one request to the origin. The first
// becomes the leader and fetches; the others wait (on their own event loops) until the leader has stored
// the response, or has found that it cannot be stored, then look in the cache again. Shared by all loops;
// a short mutex guards the map and each flight's waiter list, never held across a suspension.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/asio.hpp"

namespace endhost::http::proxy {

class Flights {
 public:
  struct Flight {
    std::string key;
    std::mutex mu;
    bool done = false;
    std::vector<std::pair<asio::any_io_executor, std::shared_ptr<asio::steady_timer>>> waiters;
  };

  // Joins the flight for `key`: `leader` is true when the caller started it (and must finish() it).
  std::shared_ptr<Flight> join(std::string_view key, bool& leader);
  // Ends a flight and wakes every follower. Idempotent.
  void finish(const std::shared_ptr<Flight>& flight);
  // Whether a flight for `key` is in progress.
  bool active(std::string_view key);

  // Suspends a follower until the flight is finished or `timeout` passes. Runs on the caller's executor.
  static awaitable<void> wait(std::shared_ptr<Flight> flight, std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

// Finishes a leader's flight when it goes out of scope, on every path out of the fetch (errors included).
class FlightGuard {
 public:
  FlightGuard() = default;
  FlightGuard(Flights& flights, std::shared_ptr<Flights::Flight> flight)
      : flights_(&flights), flight_(std::move(flight)) {}
  FlightGuard(FlightGuard&& o) noexcept : flights_(o.flights_), flight_(std::move(o.flight_)) {}
  FlightGuard& operator=(FlightGuard&& o) noexcept {
    finish();
    flights_ = o.flights_;
    flight_ = std::move(o.flight_);
    return *this;
  }
  ~FlightGuard() { finish(); }
  void finish() {
    if (flights_ && flight_) flights_->finish(flight_);
    flight_.reset();
  }
  explicit operator bool() const { return flight_ != nullptr; }

 private:
  Flights* flights_ = nullptr;
  std::shared_ptr<Flights::Flight> flight_;
};

}  // namespace endhost::http::proxy
