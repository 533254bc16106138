// The local DNS server (src/dns/resolver): recursive for the lab's clients, iterative from the lab's root
// servers, every outgoing query to the lab's one DNS port.
#include <memory>

#include "core/connection.hpp"
#include "dns/resolver/resolver_service.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

class ResolverUnit final : public Unit {
 public:
  explicit ResolverUnit(UnitContext& ctx)
      // ResolverService counts into the ServiceHost's registry; the lab runs one resolver, so these are its.
      : queries_(ctx.host.metrics().counter("endhost_resolver_queries_total", "Client queries received")),
        cached_(ctx.host.metrics().counter("endhost_resolver_cache_answers_total",
                                           "Client queries answered from the cache")),
        upstream_(ctx.host.metrics().counter("endhost_resolver_upstream_queries_total",
                                             "Queries sent to authoritative servers")) {}

  Expected<void, std::string> build(UnitContext& ctx) {
    dns::resolver::ResolverServiceConfig config;
    auto hints = dns::resolver::parse_root_hints(ctx.files.zones->root_hints, "root.hints");
    if (!hints) return Unexpected(hints.error());
    config.hints = std::move(*hints);
    config.engine.query_port = ctx.files.plan->dns_port;
    config.transcript = ctx.transcript();
    service_ = std::make_unique<dns::resolver::ResolverService>(ctx.host, std::move(config));
    auto port = service_->listen(asio::ip::make_address(ctx.planned.address), ctx.service.port);
    if (!port) return Unexpected(port.error());
    for (const auto& ep : service_->udp_endpoints())
      log_listening(ctx.host.log(), ctx, "udp", core::endpoint_text(ep));
    for (const auto& ep : service_->tcp_endpoints())
      log_listening(ctx.host.log(), ctx, "tcp", core::endpoint_text(ep));
    // ResolverService registered itself and its listeners for the drain when it was built: registering it
    // again here counted its resolutions twice.
    return {};
  }

  void start() override { service_->start(); }
  std::uint64_t requests() const override { return queries_.value(); }
  bool flush_cache() override {
    service_->cache().clear();
    return true;
  }
  std::vector<UnitCounter> counters() const override {
    return {{"queries", queries_.value()},
            {"from cache", cached_.value()},
            {"upstream queries", upstream_.value()}};
  }

 private:
  core::Counter& queries_;
  core::Counter& cached_;
  core::Counter& upstream_;
  std::unique_ptr<dns::resolver::ResolverService> service_;
};

}  // namespace

UnitResult make_resolver_unit(UnitContext& ctx) {
  auto unit = std::make_unique<ResolverUnit>(ctx);
  if (auto ok = unit->build(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
