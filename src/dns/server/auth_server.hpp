// `endhost dns serve`: the authoritative DNS server, assembled. UDP and TCP on the same addresses and
// ports, answered from per-loop zone sets (QueryHandler, TcpSessions); zones loaded from files and
// swapped on SIGHUP without dropping a query (ZoneControl); NOTIFY to secondaries when a serial grows
// (NotifySender); secondary zones kept up to date from their primaries (Secondaries).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/address_acl.hpp"
#include "core/service_host.hpp"
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
  std::vector<SecondarySpec> secondaries;
  SecondaryTimers secondary_timers;
  QueryHandlerConfig query;
  TcpSessionConfig tcp;  // allow_transfer is filled in by the server
  UdpBatchOptions udp;   // max_response is taken from query.max_udp_payload
  core::AddressAcl allow_transfer;
  NotifyConfig notify;
  std::size_t max_connections = 10'000;  // TCP, per listening address
};

class AuthServer {
 public:
  AuthServer(core::ServiceHost& host, AuthServerConfig config);
  ~AuthServer();

  // Loads every zone (start-up). The error names file:line.
  Expected<void, std::string> load_zones();
  // Binds UDP and TCP on `address`:`port`. Port 0 picks one free port for both, since DNS clients expect
  // the TCP service on the UDP port (RFC 1035 §4.2). Returns the bound port.
  Expected<std::uint16_t, std::string> listen(const asio::ip::address& address, std::uint16_t port);
  std::vector<asio::ip::udp::endpoint> udp_endpoints() const { return udp_.local_endpoints(); }
  std::vector<asio::ip::tcp::endpoint> tcp_endpoints() const { return tcp_.local_endpoints(); }
  // Starts serving, the secondaries' refreshes, and SIGHUP reloads.
  void start();

 private:
  std::size_t on_datagram(std::size_t loop, std::span<const std::uint8_t> data,
                          const asio::ip::udp::endpoint& from, std::span<std::uint8_t> out);

  core::ServiceHost& host_;
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
