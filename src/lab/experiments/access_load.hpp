// An open-loop load generator for the cache experiment's access link (Kurose & Ross §2.2.5): requests
// arrive at a set mean rate, as a Poisson process (exponential gaps), whether or not the earlier ones have
// been answered, which is what the textbook's traffic intensity La/R and access delay Δ/(1 − Δβ) assume. One
// client asking in turn (closed loop) never queues behind itself; this does. Each request takes an idle
// persistent connection of a pool opened (and used once) before the clock starts, so that handshakes and
// slow start stay out of the figures; a request that finds none idle opens one, and is counted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.hpp"

namespace endhost::lab {

struct LoadRequest {
  std::string target;  // origin-form for a server, absolute-form for a proxy
  std::string host;    // the Host field
};

struct LoadOptions {
  asio::ip::tcp::endpoint server;
  std::optional<asio::ip::address> source;  // LabInfo::client_address()
  double rate_per_s = 1;                    // the arrivals' mean rate
  std::size_t connections = 64;             // the pool opened before the clock
  std::uint64_t seed = 1;                   // the gaps' generator (runs are repeatable in their arrivals)
};

struct LoadResult {
  std::size_t completed = 0;
  std::size_t hits = 0;         // responses with a Cache-Status hit (RFC 9211)
  std::size_t opened_late = 0;  // requests that found no idle connection and opened one
  std::uint64_t bytes = 0;      // the response bodies
  double mean_ms = 0;           // mean response time, from the request's arrival to its last byte
  double hit_mean_ms = 0;       // the hits' mean (0: none)
  double miss_mean_ms = 0;      // the other responses' mean (0: none)
  double median_ms = 0;         // and its median
  double p90_ms = 0;            // and its 90th percentile
  double seconds = 0;           // from the first arrival to the last response
  double offered_per_s = 0;     // the arrivals' achieved rate
  std::string error;            // the first failure; the run then stops counting
};

// Opens the pool, then sends `requests` in order at `options.rate_per_s` and waits for every answer. A run
// of its own beforehand, discarded, lets a proxy open its connections to the origins first.
awaitable<LoadResult> open_loop_load(LoadOptions options, std::vector<LoadRequest> requests);

}  // namespace endhost::lab
