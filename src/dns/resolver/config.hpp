// Every bound and knob of the resolution engine, with the value used when the command line says nothing.
// Work limits keep one client question from costing unbounded queries (a CNAME or delegation loop, a zone
// whose name servers all need glue from elsewhere); timing values follow Unbound's infrastructure cache.
// docs/internals/resolver.md explains each choice.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/strong_int.hpp"
#include "dns/limits.hpp"
#include "dns/resolver/engine_time.hpp"
#include "dns/types.hpp"

namespace endhost::dns::resolver {

struct ResolverLimits {
  // CNAMEs followed for one client question, across zones (Unbound: max 11 restarts; BIND: 16).
  std::size_t max_cname_chain = 8;
  // Referrals followed by one lookup before it gives up (a delegation loop would go on forever).
  std::size_t max_referrals = 24;
  // Lookups nested to find the address of a name server that came without glue, e.g. ns.example.net for
  // example.com whose own servers also lack glue.
  std::size_t max_dependency_depth = 3;
  // Queries sent for one client question, dependencies included (Unbound's MAX_SENT_COUNT is 32).
  std::size_t max_queries = 48;
  // Queries sent to one server address within one lookup (the first try plus retries).
  std::size_t max_tries_per_server = 3;
  // Name servers of one delegation taken into account; the rest are ignored (bounds work per referral).
  std::size_t max_ns_per_zone = 16;
  // Addresses used per name server name.
  std::size_t max_addresses_per_ns = 8;
};

struct TimingConfig {
  // Retransmission timeout of a server never heard from (Unbound's UNKNOWN_SERVER_NICENESS).
  Millis initial_timeout{376};
  // Bounds of the timeout derived from a server's smoothed RTT (RFC 6298 §2: srtt + 4 * rttvar). Each timeout
  // doubles it, up to the maximum: exponential backoff.
  Millis min_timeout{50};
  Millis max_timeout{3000};
  // A TCP query (after a truncated UDP answer) gets at least this long: it needs a handshake first.
  Millis min_tcp_timeout{1000};
  // Total time for one client question; after it the client gets SERVFAIL.
  Millis resolution_timeout{10'000};
  // How long what was learnt about a server (RTT, timeouts) is kept.
  Millis infra_ttl{900'000};
};

struct CacheConfig {
  core::ByteCount max_bytes{64u << 20};  // RRsets and negative entries, approximate (see Cache)
  std::size_t shards = 64;               // independent locks; a power of two
  Ttl max_ttl{86'400};                   // cache-max-ttl: longer TTLs are cut to this
  Ttl max_negative_ttl{3'600};           // RFC 2308 §5: negative answers at most 1–3 hours
};

struct ResolverConfig {
  ResolverLimits limits;
  TimingConfig timing;
  // Port every outgoing query goes to (53; tests run a whole hierarchy unprivileged on another port).
  std::uint16_t query_port = 53;
  // Use IPv6 addresses of name servers. Off by default: a host without IPv6 reachability would only collect
  // timeouts from them.
  bool use_ipv6 = false;
  // EDNS UDP payload size advertised in our queries (RFC 6891; 1232 per DNS Flag Day 2020).
  std::uint16_t edns_payload = kDefaultEdnsPayload;
  // Infrastructure cache entries per loop.
  std::size_t max_servers_tracked = 10'000;
};

}  // namespace endhost::dns::resolver
