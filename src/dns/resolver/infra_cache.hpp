// What the resolver has learnt about each name server address: its smoothed round-trip time and how many
// queries to it timed out in a row (Unbound's infrastructure cache). It picks the server to ask (lowest
// smoothed RTT first) and the retransmission timeout (RFC 6298 §2, doubled after each timeout up to a
// maximum: exponential backoff). One per event loop, so it needs no lock; entries are forgotten after
// TimingConfig::infra_ttl and the table holds at most ResolverConfig::max_servers_tracked of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "dns/resolver/config.hpp"
#include "dns/resolver/engine_time.hpp"
#include "dns/resolver/ip_address.hpp"

namespace endhost::dns::resolver {

class InfraCache {
 public:
  InfraCache(const TimingConfig& timing, std::size_t max_entries);

  // The preference key for choosing among servers, lower is better: the smoothed RTT of a server that
  // answered, the initial timeout for an unknown one, the backed-off timeout of one that is timing out.
  Millis selection_rtt(const ServerEndpoint& server, Instant now) const;
  // How long to wait for this server's answer.
  Millis timeout(const ServerEndpoint& server, Instant now) const;
  // Consecutive timeouts of this server (0 after any answer).
  std::size_t timeouts_in_row(const ServerEndpoint& server, Instant now) const;

  void on_answer(const ServerEndpoint& server, Millis rtt, Instant now);
  void on_timeout(const ServerEndpoint& server, Instant now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool measured = false;
    double srtt = 0;    // ms
    double rttvar = 0;  // ms
    Millis rto{0};
    std::size_t timeouts = 0;
    Instant updated;
  };
  const Entry* live(const ServerEndpoint& server, Instant now) const;
  Entry& slot(const ServerEndpoint& server, Instant now);

  TimingConfig timing_;
  std::size_t max_entries_;
  std::unordered_map<ServerEndpoint, Entry, ServerEndpointHash> entries_;
};

}  // namespace endhost::dns::resolver
