// The institutional Web cache (src/http/proxy over an http::cache::Store under STATE/cache). The proxy finds
// origins with the system's resolver, which knows nothing of the lab's names; so the lab gives it one origin
// rule per lab web host (name → address:port, what the lab's DNS says too). Requests for any other host are
// refused (421), which also keeps the cache from being an open relay.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/connection.hpp"
#include "core/tcp_server.hpp"
#include "dns/client/server_name_resolver.hpp"
#include "http/cache/store.hpp"
#include "http/proxy/access_log.hpp"
#include "http/proxy/proxy_server.hpp"
#include "lab/state_dir.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

namespace {

class ProxyUnit final : public Unit {
 public:
  // Units are destroyed after the loops stopped: what the access log still buffers is written now.
  ~ProxyUnit() override {
    if (proxy_) proxy_->flush();
  }

  Expected<void, std::string> build(UnitContext& ctx) {
    const ProxyService& p = *ctx.planned.config->proxy;
    http::cache::StoreOptions store_options;
    store_options.dir = ctx.files.state_dir + "/cache/" + ctx.planned.name;
    store_options.max_bytes = p.capacity_bytes;
    store_options.max_object_bytes = std::min(p.max_object_bytes, p.capacity_bytes);
    store_options.memory_bytes = std::min<std::uint64_t>(p.capacity_bytes, 16ull << 20);
    auto store = http::cache::Store::open(store_options);
    if (!store) return Unexpected("cannot open the cache: " + store.error());
    store_ = std::move(*store);

    http::proxy::ProxyConfig config;
    config.routes.mode = http::proxy::ProxyMode::reverse;
    for (const PlannedHost& h : ctx.files.plan->hosts) {
      const PlannedService* web = h.find(ServiceKind::web);
      if (!web) continue;
      auto url = http::parse_url(fmt::format("http://{}:{}/", h.address, web->port));
      if (!url) return Unexpected("origin of " + h.name + ": " + url.error());
      config.routes.origins.push_back({h.name, *url});
    }
    // PURGE from this machine only (ProxyConfig's default, as `endhost proxy serve`'s): the cache experiment
    // starts cold.

    // A name the proxy dials is looked up through the lab's own resolver, never the system's (which knows
    // nothing of the lab's names).
    if (const PlannedHost* r = ctx.files.plan->host_with(ServiceKind::resolver))
      config.resolver = std::make_shared<dns::client::ServerNameResolver>(
          asio::ip::udp::endpoint(asio::ip::make_address(r->address), r->find(ServiceKind::resolver)->port));
    config.via = "1.1 " + ctx.planned.name;
    config.cache_name = ctx.planned.name;
    config.client_transcript = ctx.transcript();
    config.upstream_transcript = core::Transcript(ctx.transcripts, ctx.key() + ">origin");
    // The access log is part of the lab's state: STATE/logs/<host>.access.log.
    std::string logs = ctx.files.state_dir + "/logs";
    if (auto ok = make_directories(logs); !ok) return ok;
    std::string log_path = logs + "/" + ctx.planned.name + ".access.log";
    std::FILE* log_file = std::fopen(log_path.c_str(), "a");
    if (!log_file) return Unexpected("cannot open " + log_path + ": " + std::strerror(errno));
    access_log_ = std::make_unique<http::proxy::AccessLog>(
        log_file, true, http::proxy::AccessLog::Format::text, ctx.host.loops().size());
    proxy_ = std::make_unique<http::proxy::ProxyServer>(std::move(config), *store_, ctx.host.loops(),
                                                        ctx.metrics, ctx.host.log(), access_log_.get());
    auto* proxy = proxy_.get();
    tcp_ = std::make_unique<core::TcpServer>(
        ctx.host.loops(), ctx.host.log(),
        core::TcpServerOptions{"proxy", 10'000, [proxy](core::Connection& c) { return proxy->serve(c); },
                               [proxy](core::Connection& c) { return proxy->refuse(c); }});
    if (auto ok = tcp_->listen({asio::ip::make_address(ctx.planned.address), ctx.service.port}); !ok)
      return ok;
    log_listening(ctx.host.log(), ctx, "tcp", core::endpoint_text(tcp_->local_endpoints().front()));
    ctx.host.add(*tcp_);
    ctx.host.add(*proxy_);  // its background revalidations
    return {};
  }

  void start() override { tcp_->start(); }
  std::uint64_t requests() const override { return proxy_->counters().front().value; }
  std::vector<UnitCounter> counters() const override { return proxy_->counters(); }

 private:
  std::unique_ptr<http::cache::Store> store_;
  std::unique_ptr<http::proxy::AccessLog> access_log_;
  std::unique_ptr<http::proxy::ProxyServer> proxy_;
  std::unique_ptr<core::TcpServer> tcp_;
};

}  // namespace

UnitResult make_proxy_unit(UnitContext& ctx) {
  auto unit = std::make_unique<ProxyUnit>();
  if (auto ok = unit->build(ctx); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Unit>(std::move(unit));
}

}  // namespace endhost::lab
