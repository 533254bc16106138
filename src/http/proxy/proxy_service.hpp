// `endhost proxy serve` and the lab's Web caches as one core::Service: the options of `proxy serve` declared
// once (the same names and messages from the command line and the lab's TOML), checked into the store's
// options and a ProxyConfig, and the service that opens the Store and the access log and runs a ProxyServer
// behind its own TcpServer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "core/tcp_server.hpp"
#include "http/cache/store.hpp"
#include "http/proxy/access_log.hpp"
#include "http/proxy/proxy_config.hpp"
#include "http/proxy/proxy_server.hpp"

namespace endhost::http::proxy {

inline constexpr std::uint16_t kProxyPort = 3128;  // Squid's port, the one browsers' proxy settings suggest

// `endhost proxy serve`'s own options, as given (the shared server options are the host's).
struct ProxyServiceOptions {
  std::string cache_dir;
  std::uint64_t cache_size = 1ULL << 30;
  std::uint64_t memory_size = 64ULL << 20;
  std::uint64_t memory_object_max = 256ULL << 10;
  std::uint64_t max_object_size = 64ULL << 20;
  std::vector<std::string> origins;  // [HOST=]URL
  std::vector<std::string> connect_ports;
  std::vector<std::string> purge_from;
  std::vector<std::string> allow_destinations;  // forward mode: loopback/link-local/own blocks let through
  bool keep_underscore_fields = false;
  std::string access_log;
  std::string access_log_format = "text";
  std::string eviction = "s3fifo";
  std::string via = "endhost";
  std::uint64_t max_request_body = 16ULL << 20;
  std::uint64_t max_body_buffer = 256ULL << 20;
  std::uint64_t max_header_size = 32ULL << 10;
  double connect_timeout = 10;
  double upstream_timeout = 30;
  double read_timeout = 30;
  double idle_timeout = 60;
  double header_timeout = 30;
  bool no_collapse = false;
  std::string dns_servers;
  bool no_fsync = false;
};

// What the options become once checked together. The transcripts and, without --dns-servers, the resolver
// come from the host (ProxyService::create).
struct ProxyServiceConfig {
  cache::StoreOptions store;
  ProxyConfig proxy;
  std::string access_log;  // a file, "-" for stdout, or empty for none
  AccessLog::Format access_log_format = AccessLog::Format::text;
};

// The table of `proxy serve`'s options: each value's own check (a size, a number of seconds, a choice).
const core::SettingTable<ProxyServiceOptions>& proxy_settings();

// The checks that look at several options, or parse one into the proxy's terms (origins, port ranges,
// address lists). The error is one line naming the command-line option.
Expected<ProxyServiceConfig, std::string> build_proxy_config(const ProxyServiceOptions& options);

// Adds "proxy" to the registry: `endhost proxy serve` and a lab host's `proxy = { … }`.
void register_service(core::ServiceRegistry& registry);

class ProxyService final : public core::Service {
 public:
  // Opens the store (logs "cache opened") and the access log; names are resolved by config's resolver, else
  // env.resolver, else the system's. A store or log that cannot be opened is not a usage error.
  static Expected<std::unique_ptr<ProxyService>, core::ServiceError> create(ProxyServiceConfig config,
                                                                            core::ServiceEnv& env);
  ~ProxyService() override;

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  // Requests first, then hits, misses, revalidations, stored, bytes saved.
  std::vector<core::NamedCount> counters() const override { return proxy_->counters(); }
  // The access log's buffered lines, idle upstream connections, the disk jobs.
  void stopped() override { proxy_->flush(); }
  // SIGHUP: re-opens --access-log (log rotation), as the web server does.
  void reload() override;
  std::vector<std::string> writable_paths() const override { return {cache_dir_, access_log_path_}; }
  // The proxy's registry is the host's; ProxyServer adds the derived gauges (hit ratio, store size).
  std::string metrics_text(const core::MetricsRegistry&) const override { return proxy_->metrics_text(); }

 private:
  ProxyService(ProxyServiceConfig config, std::unique_ptr<cache::Store> store,
               std::unique_ptr<AccessLog> access_log, core::ServiceEnv& env);

  core::Logger& log_;
  std::string cache_dir_;
  std::string access_log_path_;
  std::vector<asio::ip::tcp::endpoint> listen_;
  // Destroyed in reverse order: the listener, then the proxy, then what it refers to.
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<ProxyServer> proxy_;
  std::unique_ptr<core::TcpServer> tcp_;
};

}  // namespace endhost::http::proxy
