// Runs an awaitable with a time limit, for client code (servers use Connection's deadline, which is cheaper).
// Returns std::nullopt when the time ran out; the operation is cancelled then.
#pragma once

#include <chrono>
#include <optional>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/asio.hpp"

namespace endhost::core {

template <class T>
awaitable<std::optional<T>> with_timeout(awaitable<T> op, std::chrono::steady_clock::duration limit) {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, limit);
  auto result = co_await (std::move(op) || timer.async_wait(use_nothrow));
  if (result.index() == 0) co_return std::move(std::get<0>(result));
  co_return std::nullopt;
}

}  // namespace endhost::core
