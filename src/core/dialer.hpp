// Opening TCP connections for clients: resolve the host through an injected NameResolver (IP literals skip
// it), then try each address in turn until one accepts, all within one deadline; optionally from a given
// local address (the lab makes each host send from its own). Errors are values that say what failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/name_resolver.hpp"
#include "core/socket_place.hpp"
#include "core/stream.hpp"

namespace endhost::core {

// Decides whether an address may be dialled, after name resolution, so the check sees the address actually
// connected to (a forward proxy refusing loopback: docs/internals/cache.md). Shared by every loop: const.
class DialFilter {
 public:
  virtual ~DialFilter() = default;
  // Why `address` must not be dialled ("it is a loopback address"), or "" when it may be.
  virtual std::string refuse(const asio::ip::address& address) const = 0;
};

enum class DialErrc {
  not_found,        // the name has no address (ResolveErrc::not_found)
  resolver_failed,  // the resolver could not answer (ResolveErrc::failed)
  timeout,          // the deadline passed while resolving or connecting
  connect,          // every address refused or was unreachable, or the local address could not be bound
  refused,          // the DialFilter refused every address
};

struct DialError {
  DialErrc code = DialErrc::connect;
  std::string message;  // "cannot connect to www.example.test:80 (127.0.0.1): Connection refused"
};

struct DialOptions {
  // Resolution and every connection attempt together. With several addresses, each attempt gets an equal
  // share of what is left, so one address that drops SYNs does not eat the time of the next.
  std::chrono::milliseconds timeout{10'000};
  std::optional<asio::ip::address> local_address;  // bind here (port 0) before connecting
  bool no_delay = true;                            // TCP_NODELAY: our clients write whole messages
  const DialFilter* filter = nullptr;              // consulted for every address; outlives the Dialer
  SocketPlace place{};                             // make the socket here (a lab host's namespace)
};

// Cheap to copy; refers to the resolver, which must outlive it. Usable from any loop (it keeps no state).
class Dialer {
 public:
  explicit Dialer(const NameResolver& resolver, DialOptions options = {})
      : resolver_(&resolver), options_(std::move(options)) {}
  // For clients that only ever dial addresses (DNS servers, lab hosts from lab.json): a name is an error.
  explicit Dialer(DialOptions options) : options_(std::move(options)) {}

  // A connected socket on the calling coroutine's executor. `host` is a name or an IP literal (IPv6
  // without brackets) and stays alive until the coroutine ends.
  awaitable<Expected<asio::ip::tcp::socket, DialError>> connect(const std::string& host,
                                                                std::uint16_t port) const;
  // The same to an address already known (no resolver).
  awaitable<Expected<asio::ip::tcp::socket, DialError>> connect(asio::ip::tcp::endpoint to) const;
  // The connection as a plain core::Stream (TLS goes over it: tls_client.hpp). A Stream is not movable, so
  // it is owned through the pointer.
  awaitable<Expected<std::unique_ptr<Stream>, DialError>> dial(const std::string& host,
                                                               std::uint16_t port) const;
  awaitable<Expected<std::unique_ptr<Stream>, DialError>> dial(asio::ip::tcp::endpoint to) const;

  const DialOptions& options() const { return options_; }

 private:
  awaitable<Expected<asio::ip::tcp::socket, DialError>> connect_to(
      const std::string& where, const Addresses& addresses, std::uint16_t port,
      std::chrono::steady_clock::time_point until) const;

  const NameResolver* resolver_ = nullptr;
  DialOptions options_;
};

// "host:port", with brackets around an IPv6 literal.
std::string host_port_text(const std::string& host, std::uint16_t port);

}  // namespace endhost::core
