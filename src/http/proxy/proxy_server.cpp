#include "http/proxy/proxy_server.hpp"

#include "http/proxy/h2_session.hpp"

#include <fmt/format.h>

#include "core/byte_buffer.hpp"
#include "http/proxy/destination.hpp"
#include "http/proxy/messages.hpp"
#include "http/proxy/proxy_state.hpp"
#include "http/proxy/session.hpp"
#include "http/request_parser.hpp"
#include "http/serializer.hpp"

namespace endhost::http::proxy {

ProxyMetrics::ProxyMetrics(core::MetricsRegistry& r)
    : requests(r.counter("endhost_proxy_requests_total", "Requests received from clients")),
      hits(
          r.counter("endhost_proxy_cache_hits_total", "Requests answered from the cache without the origin")),
      misses(r.counter("endhost_proxy_cache_misses_total", "Cacheable requests with nothing usable stored")),
      revalidations(r.counter("endhost_proxy_cache_revalidations_total",
                              "Stored responses validated by the origin (304 Not Modified)")),
      refreshes(r.counter("endhost_proxy_cache_refreshes_total",
                          "Stored responses replaced by a new response while validating")),
      stale(r.counter("endhost_proxy_cache_stale_total",
                      "Stale responses served (max-stale, stale-while-revalidate, stale-if-error)")),
      passes(r.counter("endhost_proxy_passes_total", "Requests forwarded without the cache (method)")),
      collapsed(r.counter("endhost_proxy_collapsed_total", "Misses answered by another request's fetch")),
      stored(r.counter("endhost_proxy_cache_stored_total", "Responses written to the cache")),
      bytes_saved(r.counter("endhost_proxy_bytes_saved_total", "Body bytes served from the cache")),
      bytes_sent(r.counter("endhost_proxy_bytes_sent_total", "Body bytes sent to clients")),
      upstream_errors(
          r.counter("endhost_proxy_upstream_errors_total", "Origin connections or responses that failed")),
      purges(r.counter("endhost_proxy_purges_total", "PURGE requests")),
      tunnels(r.counter("endhost_proxy_tunnels_total", "CONNECT tunnels opened")),
      body_buffer_full(
          r.counter("endhost_proxy_body_buffer_full_total",
                    "Requests refused with 503: the request-body budget (--max-body-buffer) was spent")),
      open_connections(r.gauge("endhost_proxy_open_connections", "Client connections open")) {}

ProxyState::ProxyState(ProxyConfig cfg, cache::Store& s, core::EventLoops& event_loops,
                       core::MetricsRegistry& reg, core::Logger& logger, AccessLog* access)
    : config(std::move(cfg)), store(s), registry(reg), log(logger), metrics(reg), access_log(access) {
  exchange.response_timeout = config.upstream_timeout;
  exchange.read_timeout = config.read_timeout;
  exchange.limits = config.response_limits;
  exchange.transcript = config.upstream_transcript;
  PoolOptions pool;
  pool.connect_timeout = config.connect_timeout;
  pool.resolver = config.resolver;
  pool.local_address = config.source_address;
  pool.place = config.socket_place;
  if (config.routes.mode == ProxyMode::forward)
    pool.filter = std::make_shared<DestinationGuard>(config.allow_destinations, config.socket_place);
  for (std::size_t i = 0; i < event_loops.size(); ++i)
    loops.push_back(std::make_unique<LoopData>(event_loops[i].io().get_executor(), pool));
}

namespace {

// Flushes one loop's access-log buffer once a second, so lines show up while traffic is light.
awaitable<void> flush_access_log(AccessLog* log, std::size_t loop) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec) co_return;
    log->flush(loop);
  }
}

}  // namespace

ProxyServer::ProxyServer(ProxyConfig config, cache::Store& store, core::EventLoops& loops,
                         core::MetricsRegistry& metrics, core::Logger& log, AccessLog* access_log)
    : state_(std::make_unique<ProxyState>(std::move(config), store, loops, metrics, log, access_log)) {
  if (access_log)
    for (std::size_t i = 0; i < loops.size(); ++i)
      asio::co_spawn(loops[i].io(), flush_access_log(access_log, i), asio::detached);
}

ProxyServer::~ProxyServer() = default;

std::size_t ProxyServer::in_flight() const {
  return state_->background.in_flight();
}

std::vector<core::NamedCount> ProxyServer::counters() const {
  const ProxyMetrics& m = state_->metrics;
  return {{"requests", m.requests.value()}, {"hits", m.hits.value()},
          {"misses", m.misses.value()},     {"revalidations", m.revalidations.value()},
          {"stored", m.stored.value()},     {"bytes saved", m.bytes_saved.value()}};
}

void ProxyServer::set_listening(std::vector<asio::ip::tcp::endpoint> endpoints) {
  state_->listening = std::move(endpoints);
}

void ProxyServer::flush() {
  state_->disk.shutdown();
  for (auto& loop : state_->loops) loop->pool.clear();
  if (state_->access_log) state_->access_log->flush_all();
}

awaitable<void> ProxyServer::serve(core::Connection& conn) {
  // Declared before the session, so it counts the close after the session's buffers are freed.
  core::BurstTrim::Connection counted(state_->loops[conn.loop().index() % state_->loops.size()]->trim);
  std::string preread;
  bool h2 = !conn.stream().is_plain() && conn.stream().tls_info().alpn == "h2";  // RFC 9113 §3.2
  if (!h2) {
    Session session(*state_, conn);
    co_await session.run();
    h2 = session.saw_preface();  // h2c with prior knowledge (§3.4)
    if (h2) preread = session.take_preread();
  }
  if (h2) co_await run_h2_session(*state_, conn, preread);
}

awaitable<void> ProxyServer::refuse(core::Connection& conn) {
  std::string out;
  append_simple_response(out, Status::service_unavailable, "too many connections, try again later\n", false,
                         state_->config.via, {}, {});
  conn.expires_after(std::chrono::seconds(5));
  co_await asio::async_write(conn.stream(), asio::buffer(out), use_nothrow);
}

std::string ProxyServer::metrics_text() const {
  std::string text = state_->registry.render_prometheus();
  const auto hits = static_cast<double>(state_->metrics.hits.value());
  const auto lookups =
      hits + static_cast<double>(state_->metrics.misses.value() + state_->metrics.revalidations.value() +
                                 state_->metrics.refreshes.value());
  text += "# HELP endhost_proxy_cache_hit_ratio Hits over cacheable lookups (hits, misses, validations)\n";
  text += "# TYPE endhost_proxy_cache_hit_ratio gauge\n";
  text += fmt::format("endhost_proxy_cache_hit_ratio {:.6f}\n", lookups > 0 ? hits / lookups : 0.0);
  const cache::StoreStats s = state_->store.stats();
  text +=
      "# HELP endhost_proxy_cache_objects Objects in the cache\n# TYPE endhost_proxy_cache_objects gauge\n";
  text += fmt::format("endhost_proxy_cache_objects {}\n", s.objects);
  text +=
      "# HELP endhost_proxy_cache_bytes Bytes of the cache on disk\n# TYPE endhost_proxy_cache_bytes gauge\n";
  text += fmt::format("endhost_proxy_cache_bytes {}\n", s.bytes);
  text += "# HELP endhost_proxy_cache_memory_bytes Bytes of bodies in the memory tier\n";
  text += "# TYPE endhost_proxy_cache_memory_bytes gauge\n";
  text += fmt::format("endhost_proxy_cache_memory_bytes {}\n", s.memory_bytes);
  text += "# HELP endhost_proxy_cache_evictions_total Objects evicted to stay within --cache-size\n";
  text += "# TYPE endhost_proxy_cache_evictions_total counter\n";
  text += fmt::format("endhost_proxy_cache_evictions_total {}\n", s.evictions);
  return text;
}

}  // namespace endhost::http::proxy
