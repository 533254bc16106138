// `endhost resolver serve` and the lab's local DNS server as one core::Service: clients ask over UDP and TCP
// on the --listen addresses, and each question is answered from the shared cache when it can be, or else
// resolved iteratively (resolution.hpp) with the queries carried out by upstream.hpp. Only clients in the ACL
// are served; others get REFUSED.
//
// Threads: every event loop reads the same listening sockets and keeps its own state (infrastructure cache,
// random source, questions in flight, scratch buffers), so the request path takes no lock except the cache
// shard's own. Identical UDP questions that arrive while one is being resolved on the same loop wait for that
// resolution instead of starting another (Unbound's mesh does the same).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/socket_place.hpp"
#include "core/tcp_server.hpp"
#include "core/transcript.hpp"
#include "dns/resolver/cache.hpp"
#include "dns/resolver/client_udp.hpp"
#include "dns/resolver/config.hpp"
#include "dns/resolver/root_hints.hpp"

namespace endhost::dns::resolver {

struct ResolverServiceConfig {
  ResolverConfig engine;
  std::shared_ptr<core::TlsServerContext> tls;  // DNS over TLS on the TCP listener (RFC 7858) when set
  CacheConfig cache;
  RootHints hints;
  core::AddressAcl acl = core::AddressAcl::loopback();
  // Our EDNS UDP payload size toward clients (RFC 6891 §6.2.5): advertised, and the cap on UDP answers.
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;
  // Questions being resolved at once per event loop; more are dropped (the client retries), which bounds
  // memory and outgoing sockets under a flood of uncached names.
  std::size_t max_resolutions_per_loop = 1000;
  // Clients waiting for one question's resolution; further duplicates are dropped.
  std::size_t max_waiters = 64;
  // TCP clients: silence allowed between queries (RFC 7766 §6.2.3) and time for each read or write.
  Millis tcp_idle_timeout{10'000};
  Millis tcp_io_timeout{10'000};
  std::size_t max_connections = 10'000;
  core::Transcript transcript;
  // Where bind() listens: UDP and TCP on the same port of each address (port 0: one free for both).
  std::vector<asio::ip::udp::endpoint> listen;
  // Where upstream queries leave from (core::ServiceEnv::source_address); empty: any.
  std::optional<asio::ip::address> source_address;
  // Where their sockets are made (core::ServiceEnv::socket_place); listeners take the Binder's.
  core::SocketPlace socket_place{};
};

class ResolverService final : public core::Service {
 public:
  // Counts into `metrics` (endhost_resolver_*). The loops and the logger must outlive the service.
  ResolverService(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
                  ResolverServiceConfig config);
  ~ResolverService() override;

  // Listens on UDP and TCP at the same port. Port 0 picks one free for both. Returns the port.
  Expected<std::uint16_t, std::string> listen(const asio::ip::address& address, std::uint16_t port,
                                              const core::SocketPlace& place = {});
  std::vector<asio::ip::udp::endpoint> udp_endpoints() const { return udp_.local_endpoints(); }
  std::vector<asio::ip::tcp::endpoint> tcp_endpoints() const { return tcp_.local_endpoints(); }

  // core::Service: listens on every address of config.listen, UDP lines first, then TCP.
  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  // The dashboard's numbers; the first is the unit's "requests".
  std::vector<core::NamedCount> counters() const override;
  // The dashboard's "flush resolver cache": the next question starts from the root again.
  bool flush_cache() override {
    cache_.clear();
    return true;
  }
  // The listeners' connections, and the resolutions in flight, which finish (they are bounded by the
  // resolution timeout) before shutdown.
  std::size_t in_flight() const override {
    return core::Service::in_flight() + in_flight_.load(std::memory_order_relaxed);
  }

  Cache& cache() { return cache_; }

  struct LoopState;  // per event loop (resolver_service.cpp)
  struct Metrics;

 private:
  std::size_t on_datagram(ClientSocket& socket, std::span<const std::uint8_t> data,
                          const asio::ip::udp::endpoint& from, std::span<std::uint8_t> reply);
  awaitable<void> serve_tcp(core::Connection& conn);

  core::EventLoops& event_loops_;
  core::Logger& log_;
  ResolverServiceConfig config_;
  Cache cache_;
  std::unique_ptr<Metrics> metrics_;
  std::vector<std::unique_ptr<LoopState>> loops_;
  std::atomic<std::size_t> in_flight_{0};
  ClientUdp udp_;
  core::TcpServer tcp_;
};

}  // namespace endhost::dns::resolver
