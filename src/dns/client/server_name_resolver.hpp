// A core::NameResolver that asks one DNS server (a recursive resolver: endhost's own, the lab's, any other)
// at a given address for the A and AAAA records of a name, instead of the system's getaddrinfo. The lab
// gives it to the proxy so names resolve through the lab's resolver; `--resolver ADDR:PORT` gives it to
// clients. Over UDP with strict answer matching (transport.hpp), and again over TCP when the answer is
// truncated (RFC 7766 §5).
#pragma once

#include <memory>
#include <string>

#include "core/expected.hpp"
#include "core/name_resolver.hpp"
#include "core/socket_place.hpp"

namespace endhost::dns::client {

class ServerNameResolver final : public core::NameResolver {
 public:
  // `place`: where its query sockets are made (the lab host's namespace, for a lab host's resolver).
  explicit ServerNameResolver(asio::ip::udp::endpoint server, core::SocketPlace place = {})
      : server_(std::move(server)), place_(std::move(place)) {}

  // IPv4 addresses first, then IPv6, each in the order the server gave them; CNAME chains in the answer
  // are followed (RFC 1034 §3.6.2).
  awaitable<core::ResolveResult> resolve(const std::string& host,
                                         std::chrono::steady_clock::time_point until) const override;

  const asio::ip::udp::endpoint& server() const { return server_; }

 private:
  asio::ip::udp::endpoint server_;
  core::SocketPlace place_;
};

// `--dns-servers ADDR[:PORT]` (fetch, proxy serve, proxy purge): a ServerNameResolver for that DNS server
// (port 53 by default), or the system's resolver when `spec` is empty. The error names the option.
inline constexpr const char* kDnsServersHelp =
    "Resolve host names by asking this DNS server (ADDR[:PORT], port 53 by default) instead of the system's "
    "resolver";
Expected<std::shared_ptr<const core::NameResolver>, std::string> name_resolver_for(const std::string& spec);

}  // namespace endhost::dns::client
