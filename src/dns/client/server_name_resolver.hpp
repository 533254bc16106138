// A core::NameResolver that asks one DNS server (a recursive resolver: endhost's own, the lab's, any other)
// at a given address for the A and AAAA records of a name, instead of the system's getaddrinfo. The lab
// gives it to the proxy so names resolve through the lab's resolver; `--resolver ADDR:PORT` gives it to
// clients. Over UDP with strict answer matching (transport.hpp), and again over TCP when the answer is
// truncated (RFC 7766 §5).
#pragma once

#include "core/name_resolver.hpp"

namespace endhost::dns::client {

class ServerNameResolver final : public core::NameResolver {
 public:
  explicit ServerNameResolver(asio::ip::udp::endpoint server) : server_(std::move(server)) {}

  // IPv4 addresses first, then IPv6, each in the order the server gave them; CNAME chains in the answer
  // are followed (RFC 1034 §3.6.2).
  awaitable<core::ResolveResult> resolve(const std::string& host,
                                         std::chrono::steady_clock::time_point until) const override;

  const asio::ip::udp::endpoint& server() const { return server_; }

 private:
  asio::ip::udp::endpoint server_;
};

}  // namespace endhost::dns::client
