// The upper-case echo host: the same echo::EchoService `endhost echo serve` runs, on the host's address,
// owned by the lab's ServiceHost.
#include <memory>

#include "core/binder.hpp"
#include "echo/echo_service.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

class EchoUnit final : public Unit {
 public:
  explicit EchoUnit(echo::EchoService& service) : service_(service) {}

  void start() override { service_.start(); }
  std::uint64_t requests() const override { return service_.counters().front().value; }
  std::vector<UnitCounter> counters() const override { return service_.counters(); }

 private:
  echo::EchoService& service_;  // owned by the host, which outlives the units
};

}  // namespace

UnitResult make_echo_unit(UnitContext& ctx) {
  echo::EchoServiceOptions options;
  options.tcp = ctx.service.tcp;
  options.udp = ctx.service.udp;
  const auto address = asio::ip::make_address(ctx.planned.address);
  options.tcp_listen = {{address, ctx.service.port}};
  options.udp_listen = {{address, ctx.service.port}};
  auto service =
      echo::EchoService::create(options, ctx.host.loops(), ctx.host.log(), ctx.metrics, ctx.transcript());
  if (!service) return Unexpected(service.error());
  auto& echo = ctx.host.adopt(std::move(*service));
  core::Binder binder(ctx.host.log(), to_string(ctx.service.kind), ctx.planned.name);
  if (auto ok = echo.bind(binder); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::make_unique<EchoUnit>(echo));
}

}  // namespace endhost::lab
