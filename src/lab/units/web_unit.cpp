// A web server (src/http/server) for one site: the files the lab wrote under STATE/sites/<site>, served for
// any Host, with the host's own metrics registry.
#include <memory>

#include "core/connection.hpp"
#include "core/tcp_server.hpp"
#include "http/server/access_log.hpp"
#include "http/server/web_options.hpp"
#include "http/server/web_server.hpp"
#include "lab/state_dir.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

// Visitors the cookie site remembers; past this, the least recently seen are forgotten.
constexpr std::uint64_t kMaxVisitors = 100'000;

class WebUnit final : public Unit {
 public:
  Expected<void, std::string> build(UnitContext& ctx) {
    // The same options, checks and messages as `endhost web serve` (http/server/web_options.hpp).
    const WebService& w = *ctx.planned.config->web;
    web::WebOptions options;
    options.root = ctx.files.sites_dir + "/" + w.site;
    if (w.sessions) {
      options.sessions = true;
      options.state_dir = ctx.files.state_dir + "/sessions/" + ctx.planned.name;
      options.max_visitors = kMaxVisitors;
      if (auto ok = make_directories(options.state_dir); !ok) return ok;
    }
    for (const auto& [name, value] : w.options) {
      if (auto ok = web::set_web_option(options, name, value); !ok) return ok;
    }
    auto made = web::make_web_config(options);
    if (!made) return Unexpected(made.error().message);
    web::WebConfig config = std::move(*made);
    config.transcript = ctx.transcript();
    // The access log (Combined Log Format) is part of the lab's state: STATE/logs/<host>.access.log.
    std::string logs = ctx.files.state_dir + "/logs";
    if (auto ok = make_directories(logs); !ok) return ok;
    config.access_log = std::make_shared<web::AccessLog>(logs + "/" + ctx.planned.name + ".access.log",
                                                         ctx.host.loops().size());
    if (auto ok = config.access_log->open(); !ok) return ok;
    server_ =
        std::make_unique<web::WebServer>(std::move(config), ctx.host.loops(), ctx.metrics, ctx.host.log());
    tcp_ = std::make_unique<core::TcpServer>(ctx.host.loops(), ctx.host.log(), server_->tcp_options(10'000));
    if (auto ok = tcp_->listen({asio::ip::make_address(ctx.planned.address), ctx.service.port}); !ok)
      return ok;
    log_listening(ctx.host.log(), ctx, "tcp", core::endpoint_text(tcp_->local_endpoints().front()));
    ctx.host.add(*tcp_);
    ctx.host.on_reload([server = server_.get()] { server->reopen_logs(); });  // SIGHUP, for log rotation
    return {};
  }

  void start() override { tcp_->start(); }
  std::uint64_t requests() const override { return server_->counters().front().value; }
  std::vector<UnitCounter> counters() const override { return server_->counters(); }

 private:
  std::unique_ptr<web::WebServer> server_;
  std::unique_ptr<core::TcpServer> tcp_;
};

}  // namespace

UnitResult make_web_unit(UnitContext& ctx) {
  auto unit = std::make_unique<WebUnit>();
  if (auto ok = unit->build(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
