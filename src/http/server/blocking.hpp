// Runs blocking work — password hashing, fsync — on a small thread pool, so an event loop never stalls on
// it, and resumes the awaiting coroutine on its own loop with the result. The work function must not touch
// loop-owned state; it gets copies of what it needs.
#pragma once

#include <type_traits>
#include <utility>

#include "core/asio.hpp"

namespace endhost::web {

// `co_await run_blocking(pool, job)` gives job()'s result; job runs on a pool thread. Co_awaited directly
// as a deferred operation (no coroutine frame of its own).
//
// `job` is taken by reference and must be a named local of the awaiting coroutine: GCC 12 destroys
// non-trivial temporaries of a co_await expression twice, so the operation carries only a pointer.
template <class Executor, class Fn>
auto run_blocking(const Executor& pool, Fn& job) {
  using R = std::invoke_result_t<Fn&>;
  static_assert(std::is_trivially_copyable_v<R>, "results cross threads by value; keep them plain");
  return asio::async_initiate<decltype(asio::deferred), void(R)>(
      [pool](auto handler, Fn* fn) {
        asio::post(pool, [fn, handler = std::move(handler)]() mutable {
          const R result = (*fn)();
          // Complete on the awaiting coroutine's own executor (its event loop).
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, [handler = std::move(handler), result]() mutable { std::move(handler)(result); });
        });
      },
      asio::deferred, &job);
}

}  // namespace endhost::web
