#include "core/dialer.hpp"

#include "core/timeout.hpp"

namespace endhost::core {

namespace {

using SteadyClock = std::chrono::steady_clock;

DialErrc dial_code(ResolveErrc code) {
  switch (code) {
    case ResolveErrc::not_found:
      return DialErrc::not_found;
    case ResolveErrc::timeout:
      return DialErrc::timeout;
    case ResolveErrc::failed:
      return DialErrc::resolver_failed;
  }
  return DialErrc::resolver_failed;
}

}  // namespace

std::string host_port_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

awaitable<Expected<asio::ip::tcp::socket, DialError>> Dialer::connect(const std::string& host,
                                                                      std::uint16_t port) const {
  const auto until = SteadyClock::now() + options_.timeout;
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) {
    const Addresses one{literal};
    auto socket = co_await connect_to(host_port_text(host, port), one, port, until);
    co_return socket;
  }
  if (!resolver_)
    co_return Unexpected(
        DialError{DialErrc::not_found, "cannot dial " + host + ": an IP address is needed here"});
  ResolveResult resolved = co_await resolve_host(*resolver_, host, until);
  if (!resolved) co_return Unexpected(DialError{dial_code(resolved.error().code), resolved.error().message});
  auto socket = co_await connect_to(host_port_text(host, port), *resolved, port, until);
  co_return socket;
}

awaitable<Expected<asio::ip::tcp::socket, DialError>> Dialer::connect(asio::ip::tcp::endpoint to) const {
  const auto until = SteadyClock::now() + options_.timeout;
  const Addresses one{to.address()};
  auto socket =
      co_await connect_to(host_port_text(to.address().to_string(), to.port()), one, to.port(), until);
  co_return socket;
}

awaitable<Expected<std::unique_ptr<Stream>, DialError>> Dialer::dial(const std::string& host,
                                                                     std::uint16_t port) const {
  auto socket = co_await connect(host, port);
  if (!socket) co_return Unexpected(socket.error());
  co_return std::make_unique<Stream>(std::move(*socket));
}

awaitable<Expected<std::unique_ptr<Stream>, DialError>> Dialer::dial(asio::ip::tcp::endpoint to) const {
  auto socket = co_await connect(to);
  if (!socket) co_return Unexpected(socket.error());
  co_return std::make_unique<Stream>(std::move(*socket));
}

awaitable<Expected<asio::ip::tcp::socket, DialError>> Dialer::connect_to(
    const std::string& where, const Addresses& addresses, std::uint16_t port,
    SteadyClock::time_point until) const {
  const auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  std::string last_error = "no address to try";
  bool timed_out = false;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const asio::ip::tcp::endpoint to(addresses[i], port);
    const std::string attempt =
        addresses.size() > 1 || where.find(to.address().to_string()) == std::string::npos
            ? " (" + to.address().to_string() + ")"
            : std::string();
    if (options_.filter) {
      if (std::string why = options_.filter->refuse(to.address()); !why.empty()) {
        ++refused;
        last_error = "refusing to connect to " + where + attempt + ": " + why;
        continue;
      }
    }
    if (options_.local_address && options_.local_address->is_v4() != to.address().is_v4()) {
      last_error = "cannot connect to " + where + attempt + ": the local address " +
                   options_.local_address->to_string() + " is of the other IP version";
      continue;
    }
    const auto left = until - SteadyClock::now();
    if (left <= SteadyClock::duration::zero()) {
      timed_out = true;
      last_error = "cannot connect to " + where + ": timed out";
      break;
    }
    const auto share = left / static_cast<long>(addresses.size() - i);
    boost::system::error_code ec;
    socket.close(ec);
    open_socket(socket, to.protocol(), ec, options_.place);
    if (ec)
      co_return Unexpected(
          DialError{DialErrc::connect, "cannot open a socket for " + where + ": " + ec.message()});
    if (options_.local_address) {
      socket.bind(asio::ip::tcp::endpoint(*options_.local_address, 0), ec);
      if (ec)
        co_return Unexpected(
            DialError{DialErrc::connect, "cannot send from " + options_.local_address->to_string() + ": " +
                                             ec.message() + " (is that address on this machine?)"});
    }
    auto op = socket.async_connect(to, use_nothrow);
    auto done = co_await with_timeout(std::move(op), share);
    if (!done) {
      timed_out = true;
      last_error = "cannot connect to " + where + attempt + ": timed out";
      continue;
    }
    auto [cec] = *done;
    if (cec) {
      timed_out = false;
      last_error = "cannot connect to " + where + attempt + ": " + cec.message();
      continue;
    }
    if (options_.no_delay) socket.set_option(asio::ip::tcp::no_delay(true), ec);
    co_return std::move(socket);
  }
  socket.close();
  if (timed_out) {
    if (addresses.size() == 1) co_return Unexpected(DialError{DialErrc::timeout, last_error});
    co_return Unexpected(DialError{DialErrc::timeout, "cannot connect to " + where + ": timed out (tried " +
                                                          std::to_string(addresses.size()) + " addresses)"});
  }
  if (refused == addresses.size() && refused > 0)
    co_return Unexpected(DialError{DialErrc::refused, last_error});
  co_return Unexpected(DialError{DialErrc::connect, last_error});
}

}  // namespace endhost::core
