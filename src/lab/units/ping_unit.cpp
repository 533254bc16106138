// The UDP pinger's server (src/ping) with the configured loss and delay.
#include <memory>

#include "core/connection.hpp"
#include "lab/unit.hpp"
#include "ping/ping_server.hpp"

namespace endhost::lab {

namespace {

class PingUnit final : public Unit {
 public:
  explicit PingUnit(UnitContext& ctx)
      : server_(ctx.host, config(ctx)),
        // PingServer counts into the ServiceHost's registry; the same names find the same counters.
        requests_(ctx.host.metrics().counter("endhost_ping_requests_total",
                                             "Ping and heartbeat datagrams received")),
        dropped_(ctx.host.metrics().counter("endhost_ping_dropped_total",
                                            "Pings dropped by the simulated loss")) {}

  Expected<void, std::string> bind(UnitContext& ctx) {
    auto addr = asio::ip::make_address(ctx.planned.address);
    if (auto ok = server_.udp().listen({addr, ctx.service.port}); !ok) return ok;
    log_listening(ctx.host.log(), ctx, "udp", core::endpoint_text(server_.udp().local_endpoints().front()));
    ctx.host.add(server_);
    return {};
  }

  void start() override { server_.start(); }
  std::uint64_t requests() const override { return requests_.value(); }
  std::vector<UnitCounter> counters() const override {
    return {{"received", requests_.value()}, {"dropped", dropped_.value()}};
  }

 private:
  static ping::PingServerConfig config(UnitContext& ctx) {
    const PingService& p = *ctx.planned.config->ping;
    ping::PingServerConfig c;
    c.loss.loss = p.loss;
    c.loss.delay = std::chrono::milliseconds(p.delay_ms);
    c.loss.jitter = std::chrono::milliseconds(p.jitter_ms);
    c.transcript = ctx.transcript();
    return c;
  }

  ping::PingServer server_;
  core::Counter& requests_;
  core::Counter& dropped_;
};

}  // namespace

UnitResult make_ping_unit(UnitContext& ctx) {
  auto unit = std::make_unique<PingUnit>(ctx);
  if (auto ok = unit->bind(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
