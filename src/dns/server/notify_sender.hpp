// The primary's half of RFC 1996: when a zone's SOA serial grows (a reload), tell each configured secondary
// (--notify ADDR:PORT) with a NOTIFY over UDP, so it refreshes now rather than at the SOA refresh time.
// Each NOTIFY goes from a fresh socket with a random ID and is retransmitted until the secondary answers
// (§3.6) or the tries run out. A target with a TSIG key (`--notify ADDR:PORT,key=NAME`) gets the NOTIFY
// signed (RFC 8945) and its answer must verify. Runs on one event loop.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "core/asio.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/socket_place.hpp"
#include "core/system_random.hpp"
#include "dns/tsig.hpp"
#include "dns/zone.hpp"

namespace endhost::dns::server {

struct NotifyConfig {
  std::vector<asio::ip::udp::endpoint> targets;
  std::vector<std::optional<TsigKey>> keys;  // per target, same order; empty or shorter: unsigned
  std::chrono::milliseconds timeout{2'000};  // before a retransmission
  int tries = 5;
  std::optional<asio::ip::address> source;  // where NOTIFYs leave from; empty: any
  core::SocketPlace place{};                // where their socket is made (a lab host's namespace)
};

class NotifySender {
 public:
  NotifySender(asio::io_context& io, NotifyConfig config, core::Logger& log, core::MetricsRegistry& metrics);

  // Sends NOTIFY for `zone` to every target. Call on the io_context's thread; the message is built before
  // returning, so the zone need not outlive the call.
  void notify(const Zone& zone);
  bool enabled() const { return !config_.targets.empty(); }

 private:
  awaitable<void> send(std::vector<std::uint8_t> message, std::uint16_t id, asio::ip::udp::endpoint target,
                       std::string zone, const TsigKey* key, std::vector<std::uint8_t> request_mac);

  asio::io_context& io_;
  NotifyConfig config_;
  core::Logger& log_;
  core::SystemRandom random_;  // NOTIFY IDs: a guessable one lets a stranger forge the answer
  core::Counter* acknowledged_;
  core::Counter* unanswered_;
};

}  // namespace endhost::dns::server
