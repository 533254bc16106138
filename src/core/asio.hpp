// The Boost.Asio headers every session library uses; also the precompiled header of src/core, so it is
// parsed once per build instead of once per file.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace endhost {
namespace asio = boost::asio;
using asio::awaitable;
// Completion token for coroutines that check errors as values: `auto [ec, n] = co_await op(...,
// use_nothrow);`
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace endhost
