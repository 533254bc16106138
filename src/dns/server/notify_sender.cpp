#include "dns/server/notify_sender.hpp"

#include "core/connection.hpp"
#include "dns/client/transport.hpp"
#include "dns/server/bare_response.hpp"
#include "dns/server/tsig_clock.hpp"
#include "dns/transfer.hpp"

namespace endhost::dns::server {

NotifySender::NotifySender(asio::io_context& io, NotifyConfig config, core::Logger& log,
                           core::MetricsRegistry& metrics)
    : io_(io),
      config_(std::move(config)),
      log_(log),
      acknowledged_(&metrics.counter("endhost_dns_notify_sent_total", "NOTIFY messages sent to secondaries",
                                     {{"result", "acknowledged"}})),
      unanswered_(&metrics.counter("endhost_dns_notify_sent_total", "NOTIFY messages sent to secondaries",
                                   {{"result", "unanswered"}})) {}

void NotifySender::notify(const Zone& zone) {
  for (std::size_t i = 0; i < config_.targets.size(); ++i) {
    const std::uint16_t id = random_.next16();
    std::vector<std::uint8_t> message(1024);
    auto built = make_notify(zone, id, std::span(message).first(512));
    std::optional<std::size_t> n;
    if (built) n = *built;
    const TsigKey* key = i < config_.keys.size() && config_.keys[i] ? &*config_.keys[i] : nullptr;
    std::vector<std::uint8_t> request_mac;
    if (n && key) {
      TsigSigner signer(*key);
      n = signer.sign(message, *n, tsig_now());
      request_mac = signer.last_mac();
    }
    if (!n) {
      log_.error("cannot build NOTIFY", {{"service", "dns"}, {"zone", zone.origin().to_string()}});
      return;
    }
    message.resize(*n);
    asio::co_spawn(io_,
                   send(std::move(message), id, config_.targets[i], zone.origin().to_string(), key,
                        std::move(request_mac)),
                   asio::detached);
  }
}

awaitable<void> NotifySender::send(std::vector<std::uint8_t> message, std::uint16_t id,
                                   asio::ip::udp::endpoint target, std::string zone, const TsigKey* key,
                                   std::vector<std::uint8_t> request_mac) {
  client::UdpExchangeOptions options;
  options.timeout = config_.timeout;
  options.tries = config_.tries;
  options.source = config_.source;
  options.place = config_.place;
  // exchange_udp accepts only a datagram from the target that answers this ID and question (RFC 1996 §3.6).
  auto reply = co_await client::exchange_udp(target, message, options);
  std::string to = core::endpoint_text(target);
  if (!reply) {
    unanswered_->inc();
    log_.warn("NOTIFY not acknowledged",
              {{"service", "dns"}, {"zone", zone}, {"secondary", to}, {"error", reply.error()}});
    co_return;
  }
  if (key) {
    // RFC 8945 §5.3.1: the answer to a signed NOTIFY is signed with the same key.
    auto verified = verify_response(*reply, *key, request_mac, true, tsig_now());
    if (!verified) {
      unanswered_->inc();
      log_.warn(
          "NOTIFY answer not verified",
          {{"service", "dns"}, {"zone", zone}, {"secondary", to}, {"error", "TSIG: " + verified.error()}});
      co_return;
    }
  }
  Rcode rcode = Rcode::NOERROR;
  is_notify_response(*reply, id, rcode);
  acknowledged_->inc();
  log_.info("NOTIFY acknowledged",
            {{"service", "dns"}, {"zone", zone}, {"secondary", to}, {"rcode", dns::to_string(rcode)}});
}

}  // namespace endhost::dns::server
