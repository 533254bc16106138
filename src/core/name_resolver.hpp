// Turning a host name into addresses, behind an interface so that whoever dials (the HTTP client, the proxy,
// later the mail queue) does not depend on getaddrinfo: the program injects the system's resolver, the lab
// one that asks its own DNS resolver, tests a fixed map. IP literals never reach a resolver (resolve_host).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"

namespace endhost::core {

enum class ResolveErrc {
  not_found,  // the name does not exist or has no address (curl's exit 6)
  timeout,    // no answer before the deadline
  failed,     // the resolver could not be asked or answered with an error (SERVFAIL, REFUSED…)
};

struct ResolveError {
  ResolveErrc code = ResolveErrc::failed;
  std::string message;  // a sentence: "cannot resolve host www.example.test: no such name"
};

using Addresses = std::vector<asio::ip::address>;
using ResolveResult = Expected<Addresses, ResolveError>;

// One instance is shared by every event loop, so implementations keep no mutable state. resolve() runs on
// the caller's loop and gives up at `until`; a success holds at least one address, in the order to try.
class NameResolver {
 public:
  virtual ~NameResolver() = default;
  // `host` is a name, not an IP literal, and stays alive until the coroutine ends.
  virtual awaitable<ResolveResult> resolve(const std::string& host,
                                           std::chrono::steady_clock::time_point until) const = 0;
};

// An IP literal ("127.0.0.1", "::1", without brackets) as itself; anything else through `resolver`.
awaitable<ResolveResult> resolve_host(const NameResolver& resolver, const std::string& host,
                                      std::chrono::steady_clock::time_point until);

// HOST and PORT as the one UDP endpoint a datagram client sends to: the first address `resolver` gives (an
// IP literal as itself). The error is the resolver's sentence.
awaitable<Expected<asio::ip::udp::endpoint, std::string>> resolve_udp_endpoint(
    const NameResolver& resolver, const std::string& host, std::uint16_t port,
    std::chrono::steady_clock::time_point until);

// The system's resolver (getaddrinfo: /etc/hosts, then DNS as nsswitch.conf says), run off the event loop
// on Asio's resolver thread so a slow DNS server never stalls the loop.
class SystemNameResolver final : public NameResolver {
 public:
  awaitable<ResolveResult> resolve(const std::string& host,
                                   std::chrono::steady_clock::time_point until) const override;
};

// A fixed table, name → addresses, for tests and for hosts that a lab knows by heart. Names match
// case-insensitively and with or without the final dot.
class FixedNameResolver final : public NameResolver {
 public:
  explicit FixedNameResolver(const std::map<std::string, Addresses>& table);
  awaitable<ResolveResult> resolve(const std::string& host,
                                   std::chrono::steady_clock::time_point until) const override;

 private:
  std::map<std::string, Addresses> table_;  // keys lower-case, without the final dot
};

}  // namespace endhost::core
