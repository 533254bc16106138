#include "http/server/web_server.hpp"

#include <malloc.h>

#include "core/system_random.hpp"
#include "http/server/http_session.hpp"
#include "http/server/server_state.hpp"

namespace endhost::web {

namespace {

// The statuses this server sends. Registering them up front keeps the request path off the registry's mutex.
constexpr unsigned kStatuses[] = {100, 200, 201, 204, 206, 301, 304, 400, 401, 403, 404, 405, 408,
                                  409, 411, 412, 413, 414, 415, 416, 417, 431, 500, 501, 503, 505};

}  // namespace

WebMetrics::WebMetrics(core::MetricsRegistry& registry) {
  for (unsigned code : kStatuses) {
    by_status[code] = &registry.counter("endhost_web_requests_total", "HTTP requests answered, by status",
                                        {{"status", std::to_string(code)}});
  }
  bytes_sent = &registry.counter("endhost_web_sent_bytes_total", "Bytes sent to clients, heads and bodies");
  bytes_received = &registry.counter("endhost_web_received_bytes_total", "Bytes received from clients");
  open_connections = &registry.gauge("endhost_web_open_connections", "Client connections open now");
  connections_refused = &registry.counter("endhost_web_refused_connections_total",
                                          "Connections refused with 503 over the limit");
  latency = &registry.histogram("endhost_web_request_duration_seconds",
                                "Time from the start of a request to its response being handed to the kernel",
                                core::default_latency_buckets());
}

void WebMetrics::response(unsigned status, double seconds, std::size_t shard) {
  if (status < by_status.size() && by_status[status] != nullptr) by_status[status]->inc(1, shard);
  latency->observe(seconds, shard);
}

Work::Work(const http::ServerConnection::Options& options) : http(options) {
  out.reserve(16 * 1024);
}

ServerState::ServerState(WebConfig cfg, core::MetricsRegistry& registry, std::size_t loop_count)
    : config(std::move(cfg)),
      metrics(registry),
      connection{.limits = config.limits, .max_drain = config.max_drain_body},
      boundary_prefix(core::SystemRandom().hex(8)),
      blocking("web-blocking", config.blocking_threads) {
  if (config.visitors) state_thread = std::make_unique<core::BlockingPool>("web-visitors", 1);
  for (std::size_t i = 0; i < loop_count; ++i) {
    loops.push_back(std::make_unique<LoopState>(i, config));
  }
}

std::unique_ptr<Work> ServerState::take_work(LoopState& loop) {
  if (loop.spare.empty()) return std::make_unique<Work>(connection);
  std::unique_ptr<Work> w = std::move(loop.spare.back());
  loop.spare.pop_back();
  return w;
}

void ServerState::give_work(LoopState& loop, std::unique_ptr<Work> work) {
  if (loop.spare.size() >= LoopState::kMaxSpare) {
    work.reset();  // freed: the pool only absorbs bursts
    // After many connections held a Work each (1,000 slow clients), the freed buffers sit in the
    // allocator's heap between live allocations and RSS would stay at the attack's peak. Handing free pages
    // back every kTrimAfter frees costs a dozen trims per 1,000 connections, and nothing in steady traffic,
    // which the spare pool absorbs without freeing.
    if (++loop.freed_works >= LoopState::kTrimAfter) {
#if defined(__GLIBC__)
      ::malloc_trim(0);
#endif
      loop.freed_works = 0;
    }
    return;
  }
  // Keep the output buffer from holding on to a listing-sized allocation forever.
  if (work->out.capacity() > 256 * 1024) std::string().swap(work->out);
  if (work->body.capacity() > 256 * 1024) std::string().swap(work->body);
  loop.spare.push_back(std::move(work));
}

WebServer::WebServer(WebConfig config, core::EventLoops& loops, core::MetricsRegistry& metrics,
                     core::Logger& log)
    : state_(std::make_unique<ServerState>(std::move(config), metrics, loops.size())),
      loops_(loops),
      log_(log) {
  // Each loop's file cache reads its inotify descriptor on that loop's thread; until the loop has run this,
  // its cache keeps nothing.
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::post(loops_[i].io(), [this, i] {
      FileCache& files = state_->loops[i]->files;
      if (files.capacity() > 0 && !files.start(loops_[i].io().get_executor()) && i == 0)
        log_.warn(
            "no inotify instance for the file cache (fs.inotify.max_user_instances?): files are opened "
            "for every request",
            {{"service", "web"}});
    });
  }
}

void WebServer::reopen_logs() {
  const auto& access_log = state_->config.access_log;
  if (!access_log) return;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    // Each loop owns its descriptor: it re-opens it itself, between two of its requests.
    asio::post(loops_[i].io(), [this, i, access_log] {
      if (!access_log->reopen(i) && i == 0)
        log_.error("cannot re-open the access log; still writing to the old file",
                   {{"service", "web"}, {"path", access_log->path()}});
    });
  }
}

WebServer::~WebServer() = default;

awaitable<void> WebServer::session(core::Connection& conn) {
  return run_http_session(*state_, conn);
}

awaitable<void> WebServer::refuse(core::Connection& conn) {
  return refuse_http_connection(*state_, conn);
}

core::TcpServerOptions WebServer::tcp_options(std::size_t max_connections) {
  core::TcpServerOptions o;
  o.name = "web";
  o.max_connections = max_connections;
  o.session = [this](core::Connection& c) { return session(c); };
  o.refuse = [this](core::Connection& c) { return refuse(c); };
  return o;
}

std::vector<core::NamedCount> WebServer::counters() const {
  std::uint64_t requests = 0;
  for (const core::Counter* c : state_->metrics.by_status) requests += c ? c->value() : 0;
  return {{"requests", requests}, {"bytes sent", state_->metrics.bytes_sent->value()}};
}

const WebConfig& WebServer::config() const {
  return state_->config;
}

}  // namespace endhost::web
