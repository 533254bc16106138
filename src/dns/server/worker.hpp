// Runs blocking work (reading zone files, building zones, fsync) on a worker thread and resumes the calling
// coroutine on its own event loop with the result, so no loop ever stalls on the disk.
#pragma once

#include <type_traits>
#include <utility>

#include "core/asio.hpp"

namespace endhost::dns::server {

// `f` runs on `pool`; the awaiting coroutine resumes on its own executor with f's result. The pool must be
// joined (not stopped) before it is destroyed, so that every job completes.
template <class F>
awaitable<std::invoke_result_t<F&>> run_on(asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
      [&pool](auto handler, F fn) {
        auto ex = asio::get_associated_executor(handler);
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler), ex]() mutable {
          R result = fn();
          asio::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(f));
}

}  // namespace endhost::dns::server
