// `endhost dns serve --secondary ZONE=PRIMARY`: keeps a copy of a zone served by a primary and serves it.
// For each zone a coroutine on the control loop asks the primary for its SOA serial and, when the primary's
// is newer (RFC 1982), transfers the zone with AXFR over TCP (RFC 5936), installs it durably and publishes it
// (ZoneControl). It does so at start, when the primary sends a NOTIFY (RFC 1996), and every SOA REFRESH
// seconds (RETRY after a failure). When the primary has been unreachable for the SOA EXPIRE time the zone is
// no longer served (RFC 1035 §3.3.13). With a TSIG key for the primary (`,key=NAME`), the SOA query and
// the transfer request are signed and every message of the answer must verify (RFC 8945 §5.3.1): an answer
// that does not is logged and discarded, never installed; a NOTIFY must then be signed with that key.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/socket_place.hpp"
#include "dns/name.hpp"
#include "dns/server/zone_control.hpp"
#include "dns/tsig.hpp"
#include "dns/types.hpp"

namespace endhost::dns::server {

struct SecondarySpec {
  Name origin;
  asio::ip::address primary;
  std::uint16_t port = 53;
  std::optional<Name> key_name;  // `,key=NAME`: a --tsig-key to sign with (RFC 8945)
  std::optional<TsigKey> key;    // that key, filled in from the configured keys
};
// Parses `ZONE=ADDR[:PORT][,key=KEYNAME]` (IPv6 as [addr]:port). The error is a sentence for --secondary.
Expected<SecondarySpec, std::string> parse_secondary_spec(std::string_view text);

struct SecondaryTimers {
  std::chrono::milliseconds query_timeout{2'000};  // per SOA query try (3 tries)
  std::chrono::milliseconds io_timeout{10'000};    // connect, and each message of a transfer
  std::chrono::seconds transfer_limit{600};        // a whole transfer
  std::chrono::seconds first_retry{5};             // before the first copy arrives (no SOA to read it from)
  std::chrono::seconds min_interval{1};            // floor and ceiling for the SOA's REFRESH and RETRY
  std::chrono::seconds max_interval{7 * 24 * 3600};
};

// Where the SOA checks and transfers leave from (core::ServiceEnv::source_address); empty: any.
using SourceAddress = std::optional<asio::ip::address>;

class Secondaries {
 public:
  Secondaries(asio::io_context& control, std::vector<SecondarySpec> specs, std::string state_dir,
              std::size_t max_records, SecondaryTimers timers, ZoneControl& zones, core::Logger& log,
              core::MetricsRegistry& metrics, SourceAddress source = std::nullopt,
              core::SocketPlace place = {});
  ~Secondaries();

  // Starts one refresh coroutine per zone on the control loop.
  void start();
  // Ends them at their next wake-up (shutdown). Control loop.
  void stop();

  // A NOTIFY arrived (any loop; thread-safe): NOERROR and a refresh is scheduled when `origin` is one of ours
  // and `from` is its primary (RFC 1996 §3.10), REFUSED for another sender, NOTAUTH for another zone.
  // When the zone has a key, the NOTIFY must have been signed with it (`key`: the verified key's name, null
  // for an unsigned NOTIFY): REFUSED otherwise.
  Rcode on_notify(const Name& origin, const asio::ip::address& from, const Name* key = nullptr);

 private:
  struct Zone;
  awaitable<void> run(Zone& zone);
  awaitable<bool> refresh(Zone& zone);
  awaitable<Expected<std::uint32_t, std::string>> primary_serial(Zone& zone);
  awaitable<Expected<std::vector<ResourceRecord>, std::string>> transfer(Zone& zone);
  // One transfer query over a new TCP connection: IXFR with our copy's SOA when `current` is not empty
  // (RFC 1995 §3), else AXFR.
  awaitable<Expected<std::vector<ResourceRecord>, std::string>> transfer_once(
      Zone& zone, std::vector<ResourceRecord> current);
  void read_timers(Zone& zone, const rdata::Soa& soa);
  bool failed(const Zone& zone, const std::string& what, const std::string& error);

  asio::io_context& control_;
  std::vector<std::unique_ptr<Zone>> zones_;
  std::string state_dir_;
  std::size_t max_records_;
  SecondaryTimers timers_;
  SourceAddress source_;
  core::SocketPlace place_;  // where their sockets are made (core::ServiceEnv::socket_place)
  ZoneControl& control_zones_;
  core::Logger& log_;
  core::Counter* transfers_;
  core::Counter* failures_;
  bool stopping_ = false;
};

}  // namespace endhost::dns::server
