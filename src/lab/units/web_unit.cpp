// A web server (src/http/server) for one site: the files the lab wrote under STATE/sites/<site>, served for
// any Host, with the host's own metrics registry.
#include <cstring>
#include <memory>

#include "core/connection.hpp"
#include "core/tcp_server.hpp"
#include "http/server/access_log.hpp"
#include "http/server/visitor_store.hpp"
#include "http/server/web_server.hpp"
#include "lab/metric_text.hpp"
#include "lab/state_dir.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

// Visitors the cookie site remembers; past this, the least recently seen are forgotten.
constexpr std::uint64_t kMaxVisitors = 100'000;

class WebUnit final : public Unit {
 public:
  explicit WebUnit(UnitContext& ctx) : metrics_(ctx.metrics) {}

  Expected<void, std::string> build(UnitContext& ctx) {
    web::WebConfig config;
    web::Site site;
    site.path = ctx.files.sites_dir + "/" + ctx.planned.config->web->site;
    if (int err = web::open_root(site.path, site.dir); err != 0) {
      return Unexpected("cannot open the site directory " + site.path + ": " + std::strerror(err));
    }
    config.sites.push_back(std::move(site));
    config.transcript = ctx.transcript();
    // The access log (Combined Log Format) is part of the lab's state: STATE/logs/<host>.access.log.
    std::string logs = ctx.files.state_dir + "/logs";
    if (auto ok = make_directories(logs); !ok) return ok;
    config.access_log = std::make_shared<web::AccessLog>(logs + "/" + ctx.planned.name + ".access.log",
                                                         ctx.host.loops().size());
    if (auto ok = config.access_log->open(); !ok) return ok;
    if (ctx.planned.config->web->sessions) {
      std::string dir = ctx.files.state_dir + "/sessions/" + ctx.planned.name;
      if (auto ok = make_directories(dir); !ok) return ok;
      auto store = web::VisitorStore::open(dir, kMaxVisitors);
      if (!store) return Unexpected(store.error());
      config.visitors = std::shared_ptr<web::VisitorStore>(std::move(*store));
    }
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
  std::uint64_t requests() const override {
    return static_cast<std::uint64_t>(sum_metric(metrics_, "endhost_web_requests_total"));
  }
  std::vector<UnitCounter> counters() const override {
    std::string text = metrics_.render_prometheus();
    return {{"requests", static_cast<std::uint64_t>(sum_samples(text, "endhost_web_requests_total"))},
            {"bytes sent", static_cast<std::uint64_t>(sum_samples(text, "endhost_web_sent_bytes_total"))}};
  }

 private:
  core::MetricsRegistry& metrics_;
  std::unique_ptr<web::WebServer> server_;
  std::unique_ptr<core::TcpServer> tcp_;
};

}  // namespace

UnitResult make_web_unit(UnitContext& ctx) {
  auto unit = std::make_unique<WebUnit>(ctx);
  if (auto ok = unit->build(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
