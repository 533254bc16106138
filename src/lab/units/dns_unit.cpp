// An authoritative DNS server (src/dns/server) for the zones a host serves, loaded from the zone files the
// lab wrote under STATE/zones.
#include <memory>

#include "core/connection.hpp"
#include "dns/server/auth_server.hpp"
#include "lab/counting_sink.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

class DnsUnit final : public Unit {
 public:
  explicit DnsUnit(UnitContext& ctx) : counter_(ctx.transcripts) {}

  Expected<void, std::string> build(UnitContext& ctx) {
    dns::server::AuthServerConfig config;
    for (const ZoneFile& z : ctx.files.zones->zones) {
      bool ours = false;
      for (const auto& s : z.servers) ours = ours || s == ctx.planned.name;
      if (!ours) continue;
      auto origin = dns::Name::from_string(z.origin == "." ? "." : z.origin + ".");
      if (!origin) return Unexpected("zone " + z.origin + ": not a domain name");
      config.zones.primaries.push_back({ctx.files.zones_dir + "/" + z.file_name, *origin});
    }
    config.query.transcript = core::Transcript(&counter_, ctx.key());
    server_ = std::make_unique<dns::server::AuthServer>(ctx.host, std::move(config));
    if (auto ok = server_->load_zones(); !ok) return ok;
    auto port = server_->listen(asio::ip::make_address(ctx.planned.address), ctx.service.port);
    if (!port) return Unexpected(port.error());
    for (const auto& ep : server_->udp_endpoints())
      log_listening(ctx.host.log(), ctx, "udp", core::endpoint_text(ep));
    for (const auto& ep : server_->tcp_endpoints())
      log_listening(ctx.host.log(), ctx, "tcp", core::endpoint_text(ep));
    return {};
  }

  void start() override { server_->start(); }  // it registers its listeners for the drain itself
  std::uint64_t requests() const override { return counter_.client_lines(); }
  std::vector<UnitCounter> counters() const override { return {{"queries", counter_.client_lines()}}; }

 private:
  CountingTranscriptSink counter_;
  std::unique_ptr<dns::server::AuthServer> server_;
};

}  // namespace

UnitResult make_dns_unit(UnitContext& ctx) {
  auto unit = std::make_unique<DnsUnit>(ctx);
  if (auto ok = unit->build(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
