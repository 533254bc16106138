// The upper-case echo host: TCP and UDP servers of src/echo on the host's address.
#include <memory>

#include "core/tcp_server.hpp"
#include "core/udp_server.hpp"
#include "echo/echo_server.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

class EchoUnit final : public Unit {
 public:
  explicit EchoUnit(UnitContext& ctx)
      : messages_(ctx.metrics.counter("endhost_echo_messages_total", "Lines and datagrams answered")) {
    config_.transcript = ctx.transcript();
    config_.messages = &messages_;
  }

  Expected<void, std::string> bind(UnitContext& ctx) {
    auto& loops = ctx.host.loops();
    auto& log = ctx.host.log();
    auto addr = asio::ip::make_address(ctx.planned.address);
    if (ctx.service.tcp) {
      tcp_ = std::make_unique<core::TcpServer>(
          loops, log,
          core::TcpServerOptions{
              "echo", 10'000, [this](core::Connection& c) { return echo::serve_tcp(c, config_); }, {}});
      if (auto ok = tcp_->listen({addr, ctx.service.port}); !ok) return ok;
      log_listening(log, ctx, "tcp", core::endpoint_text(tcp_->local_endpoints().front()));
      ctx.host.add(*tcp_);
    }
    if (ctx.service.udp) {
      udp_ = std::make_unique<core::UdpServer>(
          loops, log,
          core::UdpServerOptions{
              "echo", 65'535,
              [this](core::UdpSocket& s, std::span<const std::uint8_t> d,
                     const asio::ip::udp::endpoint& from) { echo::serve_udp(s, d, from, config_); }});
      if (auto ok = udp_->listen({addr, ctx.service.port}); !ok) return ok;
      log_listening(log, ctx, "udp", core::endpoint_text(udp_->local_endpoints().front()));
      ctx.host.add(*udp_);
    }
    return {};
  }

  void start() override {
    if (tcp_) tcp_->start();
    if (udp_) udp_->start();
  }
  std::uint64_t requests() const override { return messages_.value(); }
  std::vector<UnitCounter> counters() const override { return {{"messages", messages_.value()}}; }

 private:
  core::Counter& messages_;
  echo::EchoServerConfig config_;
  std::unique_ptr<core::TcpServer> tcp_;
  std::unique_ptr<core::UdpServer> udp_;
};

}  // namespace

UnitResult make_echo_unit(UnitContext& ctx) {
  auto unit = std::make_unique<EchoUnit>(ctx);
  if (auto ok = unit->bind(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
