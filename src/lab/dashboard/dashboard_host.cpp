#include "lab/dashboard/dashboard_host.hpp"

#include "core/binder.hpp"
#include "core/connection.hpp"

namespace endhost::lab {

DashboardHost::DashboardHost(core::ServiceHost& host, DashboardConfig config, asio::ip::tcp::endpoint listen)
    : host_(host),
      app_(std::move(config)),
      http_([] {
        HttpAppConfig c;
        // An experiment's result (POST /api/experiments) is the one large body: page-load's timelines for a
        // page of kMaxPageObjects objects stay under this.
        c.limits.max_body_size = kMaxExperimentResultBytes;
        return c;
      }()),
      listen_(listen),
      tcp_(
          host.loops(), host.log(),
          core::TcpServerOptions{
              "dashboard", 256, [this](core::Connection& c) { return serve_http_app(c, app_, http_); }, {}}) {
  drain_with(tcp_);
}

DashboardHost::~DashboardHost() = default;

Expected<void, std::string> DashboardHost::bind(core::Binder& binder) {
  return binder.tcp(tcp_, std::span(&listen_, 1));
}

Expected<void, std::string> DashboardHost::bind_more(core::Binder& binder,
                                                     const asio::ip::tcp::endpoint& endpoint) {
  return binder.tcp(tcp_, std::span(&endpoint, 1));
}

void DashboardHost::start() {
  tcp_.start();
  host_.on_shutdown([stopping = stopping_] { *stopping = true; });
  asio::co_spawn(host_.loops()[0].io(), sampler(), asio::detached);
}

awaitable<void> DashboardHost::sampler() {
  // The flag is shared, not borrowed: the frame may be destroyed with the loop after this object is gone.
  auto stopping = stopping_;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (!*stopping) {
    app_.sample();
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(use_nothrow);
  }
}

}  // namespace endhost::lab
