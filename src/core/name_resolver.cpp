#include "core/name_resolver.hpp"

#include <algorithm>
#include <cctype>

#include "core/timeout.hpp"

namespace endhost::core {

namespace {

std::string folded(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ResolveResult not_found(const std::string& host, const std::string& why) {
  return Unexpected(ResolveError{ResolveErrc::not_found, "cannot resolve host " + host + ": " + why});
}

}  // namespace

awaitable<ResolveResult> resolve_host(const NameResolver& resolver, const std::string& host,
                                      std::chrono::steady_clock::time_point until) {
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) co_return Addresses{literal};
  if (host.empty()) co_return not_found(host, "empty host name");
  ResolveResult resolved = co_await resolver.resolve(host, until);
  co_return resolved;
}

awaitable<Expected<asio::ip::udp::endpoint, std::string>> resolve_udp_endpoint(
    const NameResolver& resolver, const std::string& host, std::uint16_t port,
    std::chrono::steady_clock::time_point until) {
  const ResolveResult addresses = co_await resolve_host(resolver, host, until);
  if (!addresses) co_return Unexpected(addresses.error().message);
  co_return asio::ip::udp::endpoint(addresses->front(), port);
}

awaitable<ResolveResult> SystemNameResolver::resolve(const std::string& host,
                                                     std::chrono::steady_clock::time_point until) const {
  const auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  const auto left = until - std::chrono::steady_clock::now();
  if (left <= std::chrono::steady_clock::duration::zero())
    co_return Unexpected(ResolveError{ResolveErrc::timeout, "resolving " + host + ": timed out"});
  // Numeric service "0": only the addresses matter, the caller supplies the port.
  auto op = resolver.async_resolve(host, "0", asio::ip::resolver_base::numeric_service, use_nothrow);
  auto done = co_await with_timeout(std::move(op), left);
  if (!done) co_return Unexpected(ResolveError{ResolveErrc::timeout, "resolving " + host + ": timed out"});
  auto& [ec, results] = *done;
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data)
    co_return not_found(host, ec.message());
  if (ec)
    co_return Unexpected(
        ResolveError{ResolveErrc::failed, "cannot resolve host " + host + ": " + ec.message()});
  Addresses out;
  for (const auto& r : results) {
    const auto a = r.endpoint().address();
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  if (out.empty()) co_return not_found(host, "no address");
  co_return out;
}

FixedNameResolver::FixedNameResolver(const std::map<std::string, Addresses>& table) {
  for (const auto& [name, addresses] : table)
    if (!addresses.empty()) table_[folded(name)] = addresses;
}

awaitable<ResolveResult> FixedNameResolver::resolve(const std::string& host,
                                                    std::chrono::steady_clock::time_point) const {
  const auto it = table_.find(folded(host));
  if (it == table_.end()) co_return not_found(host, "not in the table of known hosts");
  co_return it->second;
}

}  // namespace endhost::core
