// Internal to the proxy's session code: the state every connection shares (configuration, storage,
// collapsing, metrics, access log, the disk thread pool) and the state each event loop owns (its
// connection pool to the origins, its Date cache), so the request path takes no lock of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "core/burst_trim.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/work_counter.hpp"
#include "http/cache/store.hpp"
#include "http/client/connection_pool.hpp"
#include "http/client/exchange.hpp"
#include "http/date.hpp"
#include "http/proxy/access_log.hpp"
#include "http/proxy/collapse.hpp"
#include "http/proxy/proxy_config.hpp"

namespace endhost::http::proxy {

struct ProxyMetrics {
  explicit ProxyMetrics(core::MetricsRegistry& r);
  core::Counter& requests;
  core::Counter& hits;           // answered from the cache without asking the origin
  core::Counter& misses;         // nothing usable stored: fetched
  core::Counter& revalidations;  // a stored response validated with a conditional request (304)
  core::Counter& refreshes;      // a stale response replaced by a new 200 on validation
  core::Counter& stale;          // served stale (max-stale, stale-while-revalidate, stale-if-error)
  core::Counter& passes;         // not cacheable by method: forwarded
  core::Counter& collapsed;      // misses that waited for another request's fetch
  core::Counter& stored;         // responses written to the cache
  core::Counter& bytes_saved;    // body bytes served from the cache
  core::Counter& bytes_sent;     // body bytes sent to clients
  core::Counter& upstream_errors;
  core::Counter& purges;
  core::Counter& tunnels;
  core::Counter& body_buffer_full;  // requests refused with 503: --max-body-buffer was spent
  core::Gauge& open_connections;
};

// Request-body bytes held on behalf of one request, taken from the process-wide budget (ProxyState::
// body_buffered, bounded by ProxyConfig::max_body_buffer) and given back when the reservation dies, so every
// path out of a request (answered, refused, connection dropped) returns them. Lock-free: take, check, undo.
class BodyReservation {
 public:
  BodyReservation(std::atomic<std::uint64_t>& used, std::uint64_t limit) : used_(used), limit_(limit) {}
  ~BodyReservation() {
    if (held_ > 0) used_.fetch_sub(held_, std::memory_order_relaxed);
  }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  // Takes n more bytes; false (nothing taken) when that would exceed the budget. Two requests racing for
  // the last bytes may both be refused, never both admitted over the limit.
  bool grow(std::uint64_t n) {
    if (n == 0) return true;
    const std::uint64_t before = used_.fetch_add(n, std::memory_order_relaxed);
    if (before + n > limit_ || before + n < before) {
      used_.fetch_sub(n, std::memory_order_relaxed);
      return false;
    }
    held_ += n;
    return true;
  }

 private:
  std::atomic<std::uint64_t>& used_;
  std::uint64_t limit_;
  std::uint64_t held_ = 0;
};

struct LoopData {
  LoopData(asio::any_io_executor executor, const PoolOptions& options) : pool(std::move(executor), options) {}
  ConnectionPool pool;
  DateCache dates;
  core::BurstTrim trim;  // client connections of this loop: memory back after a slow-client attack
  std::string h2_input;  // what HTTP/2 sessions read into, shared: a read is consumed before the next
};

struct ProxyState {
  ProxyState(ProxyConfig cfg, cache::Store& s, core::EventLoops& loops, core::MetricsRegistry& registry,
             core::Logger& logger, AccessLog* access);

  ProxyConfig config;
  cache::Store& store;
  core::MetricsRegistry& registry;
  core::Logger& log;
  ProxyMetrics metrics;
  AccessLog* access_log;  // null: no access log
  Flights flights;
  ExchangeOptions exchange;
  core::SystemClock clock;                   // Date, Age and freshness read the time here only
  core::BlockingPool disk{"proxy-disk", 2};  // fsync and rename happen here, never on an event loop
  std::vector<std::unique_ptr<LoopData>> loops;
  std::atomic<std::uint64_t> body_buffered{0};  // request-body bytes held by all sessions (BodyReservation)
  // Where the proxy listens (set before the loops run, read-only after): a request for one of these would
  // come back to us.
  std::vector<asio::ip::tcp::endpoint> listening;
  // Background revalidations in flight: the drain waits for them (ProxyServer::in_flight).
  core::WorkCounter background;
};

}  // namespace endhost::http::proxy
