#include "lab/experiments/access_load.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>

#include "lab/http_fetch.hpp"

namespace endhost::lab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(30'000);

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

bool is_hit(const FetchResult& r) {
  auto status = r.fields.get("Cache-Status");
  // RFC 9211 §2.1: "hit" means the response came from the cache without going forward.
  return status &&
         (status->find("; hit") != std::string_view::npos || status->find(";hit") != std::string_view::npos);
}

// What the run's requests share: the idle connections, the sums, and the count still out.
struct Run {
  std::vector<std::unique_ptr<HttpConnection>> idle;
  LoadResult result;
  double total_ms = 0;
  double hit_ms = 0;
  std::vector<double> times_ms;
  std::size_t outstanding = 0;
  Clock::time_point first, last;
};

// One request: an idle connection (or a new one), the exchange, the connection back to the pool.
awaitable<void> one(std::shared_ptr<Run> run, LoadOptions options, LoadRequest request,
                    Clock::time_point arrived) {
  std::unique_ptr<HttpConnection> conn;
  if (!run->idle.empty()) {
    conn = std::move(run->idle.back());
    run->idle.pop_back();
  } else {
    ++run->result.opened_late;
    auto c = co_await HttpConnection::open(options.server, kTimeout, options.source);
    if (!c) {
      if (run->result.error.empty()) run->result.error = c.error();
      co_return;
    }
    conn = std::move(*c);
  }
  auto r = co_await conn->request("GET", request.target, request.host, true, kTimeout);
  const auto done = Clock::now();
  if (!r || r->status != http::Status::ok) {
    if (run->result.error.empty())
      run->result.error =
          request.target + ": " + (r ? "status " + std::to_string(http::to_int(r->status)) : r.error());
    co_return;
  }
  ++run->result.completed;
  if (is_hit(*r)) {
    ++run->result.hits;
    run->hit_ms += ms_between(arrived, done);
  }
  run->result.bytes += r->body.size();
  run->total_ms += ms_between(arrived, done);
  run->times_ms.push_back(ms_between(arrived, done));
  run->last = std::max(run->last, done);
  if (r->keep_alive && conn->is_open()) run->idle.push_back(std::move(conn));
}

}  // namespace

awaitable<LoadResult> open_loop_load(LoadOptions options, std::vector<LoadRequest> requests) {
  auto ex = co_await asio::this_coro::executor;
  auto run = std::make_shared<Run>();
  asio::steady_timer all_done(ex, Clock::time_point::max());
  // The pool, opened all at once (one RTT); not timed.
  run->outstanding = options.connections;
  const LoadOptions& o = options;  // named locals: a lambda in a coroutine does not capture its parameters
  for (std::size_t i = 0; i < o.connections; ++i) {
    asio::co_spawn(
        ex,
        [run, o]() -> awaitable<void> {
          auto c = co_await HttpConnection::open(o.server, kTimeout, o.source);
          if (c)
            run->idle.push_back(std::move(*c));
          else if (run->result.error.empty())
            run->result.error = c.error();
        },
        [run, &all_done](std::exception_ptr) {
          if (--run->outstanding == 0) all_done.cancel();
        });
  }
  if (o.connections > 0) co_await all_done.async_wait(use_nothrow);
  if (!run->result.error.empty()) co_return run->result;

  // The arrivals: exponential gaps of mean 1/rate (a Poisson process), each request sent when it arrives.
  std::mt19937_64 gen(o.seed);
  std::exponential_distribution<double> gap(o.rate_per_s);
  asio::steady_timer tick(ex);
  all_done.expires_at(Clock::time_point::max());
  run->first = run->last = Clock::now();
  auto next = run->first;
  run->outstanding = requests.size();
  for (auto& request : requests) {
    tick.expires_at(next);
    co_await tick.async_wait(use_nothrow);
    asio::co_spawn(ex, one(run, o, std::move(request), next), [run, &all_done](std::exception_ptr) {
      if (--run->outstanding == 0) all_done.cancel();
    });
    next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(gap(gen)));
  }
  if (!requests.empty()) co_await all_done.async_wait(use_nothrow);
  LoadResult& r = run->result;
  r.seconds = ms_between(run->first, run->last) / 1000.0;
  const double span = ms_between(run->first, next) / 1000.0;
  r.offered_per_s = span > 0 ? static_cast<double>(requests.size()) / span : 0;
  r.mean_ms = r.completed ? run->total_ms / static_cast<double>(r.completed) : 0;
  if (r.hits) r.hit_mean_ms = run->hit_ms / static_cast<double>(r.hits);
  if (r.completed > r.hits)
    r.miss_mean_ms = (run->total_ms - run->hit_ms) / static_cast<double>(r.completed - r.hits);
  auto& t = run->times_ms;
  std::sort(t.begin(), t.end());
  if (!t.empty()) {
    r.median_ms = t[t.size() / 2];
    r.p90_ms = t[t.size() * 9 / 10];
  }
  co_return r;
}

}  // namespace endhost::lab
