// `endhost dns serve` and the lab's DNS hosts: the authoritative DNS server, assembled as one core::Service.
// UDP and TCP on the same addresses and ports, answered from per-loop zone sets (QueryHandler, TcpSessions);
// zones loaded from files and swapped on SIGHUP without dropping a query (ZoneControl); NOTIFY to
// secondaries when a serial grows (NotifySender); secondary zones kept up to date from their primaries
// (Secondaries). Its options and registration are in auth_service.hpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/address_acl.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/tcp_server.hpp"
#include "dns/server/loop_zones.hpp"
#include "dns/server/notify_sender.hpp"
#include "dns/server/query_handler.hpp"
#include "dns/server/secondary.hpp"
#include "dns/server/tcp_session.hpp"
#include "dns/server/udp_batch_server.hpp"
#include "dns/server/zone_control.hpp"

namespace endhost::dns::server {

struct AuthServerConfig {
  ZoneCatalogConfig zones;
  std::shared_ptr<core::TlsServerContext> tls;  // DNS over TLS on the TCP listener (RFC 7858) when set
  std::vector<SecondarySpec> secondaries;
  SecondaryTimers secondary_timers;
  QueryHandlerConfig query;
  TcpSessionConfig tcp;  // allow_transfer is filled in by the server
  UdpBatchOptions udp;   // max_response is taken from query.max_udp_payload
  core::AddressAcl allow_transfer;
  NotifyConfig notify;
  // Where SOA checks, transfers and NOTIFYs leave from (core::ServiceEnv::source_address); empty: any.
  std::optional<asio::ip::address> source_address;
  // Where those client sockets are made (core::ServiceEnv::socket_place); listeners take the Binder's.
  core::SocketPlace socket_place{};
  std::size_t max_connections = 10'000;  // TCP, per listening address
  // Where bind() listens: UDP and TCP on each (port 0: one free port for both).
  std::vector<asio::ip::udp::endpoint> listen;
};

class AuthServer final : public core::Service {
 public:
  AuthServer(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
             AuthServerConfig config);
  ~AuthServer() override;

  // Loads every zone (start-up, before bind). The error names file:line.
  Expected<void, std::string> load_zones();
  // Listens on every `config.listen` endpoint and logs the `listening` lines, UDP then TCP.
  Expected<void, std::string> bind(core::Binder& binder) override;
  // Binds UDP and TCP on `address`:`port`. Port 0 picks one free port for both, since DNS clients expect
  // the TCP service on the UDP port (RFC 1035 §4.2). Returns the bound port.
  Expected<std::uint16_t, std::string> listen(const asio::ip::address& address, std::uint16_t port,
                                              const core::SocketPlace& place = {});
  std::vector<asio::ip::udp::endpoint> udp_endpoints() const { return udp_.local_endpoints(); }
  std::vector<asio::ip::tcp::endpoint> tcp_endpoints() const { return tcp_.local_endpoints(); }
  // Starts serving and the secondaries' refreshes.
  void start() override;
  // SIGHUP: every primary zone file re-read on the worker; a grown serial is announced with NOTIFY.
  void reload() override;
  // Stops the secondaries' timers (on loop 0, where they run), then drains the listeners.
  void drain() override;
  // The dashboard's "queries": every message a client sent (answered, refused, dropped, NOTIFY, AXFR), from
  // the server's own metrics.
  std::vector<core::NamedCount> counters() const override { return {{"queries", queries()}}; }
  std::uint64_t queries() const;
  // The state directory, where secondaries keep their zones.
  std::vector<std::string> writable_paths() const override;

 private:
  std::size_t on_datagram(std::size_t loop, std::span<const std::uint8_t> data,
                          const asio::ip::udp::endpoint& from, std::span<std::uint8_t> out);

  core::EventLoops& loops_;
  AuthServerConfig config_;
  LoopZones loop_zones_;
  QueryHandler handler_;
  TcpSessions tcp_sessions_;
  UdpBatchServer udp_;
  core::TcpServer tcp_;
  ZoneControl control_;
  std::unique_ptr<NotifySender> notifier_;
  std::unique_ptr<Secondaries> secondaries_;
};

}  // namespace endhost::dns::server
