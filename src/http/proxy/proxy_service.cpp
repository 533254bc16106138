#include "http/proxy/proxy_service.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/address_acl.hpp"
#include "core/host_port.hpp"
#include "core/name_resolver.hpp"
#include "dns/client/server_name_resolver.hpp"
#include "http/cache/surrogate_control.hpp"
#include "http/proxy/route.hpp"
#include "http/url.hpp"

namespace endhost::http::proxy {

namespace {

using O = ProxyServiceOptions;

constexpr std::uint64_t kAnySize = std::numeric_limits<std::uint64_t>::max();

Expected<PortRange, std::string> parse_port_range(const std::string& text, const std::string& option) {
  auto dash = text.find('-');
  auto first = core::parse_port(text.substr(0, dash));
  auto last = dash == std::string::npos ? first : core::parse_port(text.substr(dash + 1));
  if (!first || !last || *first == 0 || *last < *first)
    return Unexpected(option + ": '" + text + "' is not a port or a range like 8000-8999");
  return PortRange{*first, *last};
}

// --origin URL (every Host) or --origin HOST=URL (that Host only).
Expected<OriginRule, std::string> parse_origin(const std::string& text) {
  OriginRule rule;
  std::string url = text;
  if (auto eq = text.find('='); eq != std::string::npos && text.find("://") > eq) {
    rule.host = host_without_port(text.substr(0, eq));
    url = text.substr(eq + 1);
  }
  auto parsed = parse_url(url);
  if (!parsed) return Unexpected("--origin: " + parsed.error());
  if (parsed->scheme != "http")
    return Unexpected("--origin: '" + url +
                      "': only http origins are supported (TLS to origins is not implemented)");
  rule.origin = *parsed;
  return rule;
}

}  // namespace

const core::SettingTable<ProxyServiceOptions>& proxy_settings() {
  static const auto table = [] {
    core::SettingTable<O> t;
    t.text("cache-dir", &O::cache_dir, "DIR", "Directory of the cache's objects (created if missing)");
    t.size("cache-size", &O::cache_size, std::uint64_t{0}, kAnySize,
           "Disk bound of the cache (K, M, G suffixes)");
    t.size("memory-size", &O::memory_size, std::uint64_t{0}, kAnySize, "Memory tier for hot small objects");
    t.size("memory-object-max", &O::memory_object_max, std::uint64_t{0}, kAnySize,
           "Largest body kept in the memory tier");
    t.size("max-object-size", &O::max_object_size, std::uint64_t{0}, kAnySize,
           "Larger responses are passed through, not stored");
    t.texts("origin", &O::origins, "[HOST=]URL",
            "Reverse proxy to this origin: URL for every Host, or HOST=URL for one Host; repeatable. "
            "Without --origin the proxy is a forward proxy");
    t.texts("connect-port", &O::connect_ports, "N[-M]",
            "Ports CONNECT may reach (N or N-M; repeatable; default 443)");
    t.texts("purge-from", &O::purge_from, "ADDR[/PREFIX]",
            "Client addresses allowed to PURGE (ADDR[/PREFIX]; repeatable; default loopback)");
    t.texts("allow-destination", &O::allow_destinations, "ADDR[/PREFIX]",
            "Forward mode: addresses that may be reached although they are loopback, link-local or this "
            "machine's own (refused by default; repeatable)");
    t.flag("keep-underscore-fields", &O::keep_underscore_fields,
           "Forward request fields whose names contain '_' (dropped by default)");
    t.text("access-log", &O::access_log, "FILE", "Write one line per request to FILE ('-' for stdout)");
    t.choice("access-log-format", &O::access_log_format, {"text", "json"}, "text or json");
    t.choice("eviction", &O::eviction, {"s3fifo", "lru"}, "Eviction policy: s3fifo or lru");
    t.text("via", &O::via, "NAME", "Name in Via and Cache-Status, and the Surrogate-Control device token");
    t.text("targeted-cache-control", &O::targeted_cache_control, "FIELD",
           "Reverse mode: a response field for this cache alone (e.g. Endhost-Cache-Control), ahead of "
           "CDN-Cache-Control, Surrogate-Control and Cache-Control (RFC 9213); not forwarded to clients");
    t.size("max-request-body", &O::max_request_body, std::uint64_t{0}, kAnySize,
           "Largest request body accepted (413 above)");
    t.size("max-body-buffer", &O::max_body_buffer, std::uint64_t{0}, kAnySize,
           "Request-body bytes held for all clients together (503 with Retry-After above)");
    t.size("max-header-size", &O::max_header_size, std::uint64_t{1} << 10, std::uint64_t{1} << 20,
           "Largest request head accepted (431 above)");
    t.seconds("connect-timeout", &O::connect_timeout, "Seconds to connect to an origin");
    t.seconds("upstream-timeout", &O::upstream_timeout,
              "Seconds for an origin to start answering (504 after)");
    t.seconds("read-timeout", &O::read_timeout,
              "Seconds of silence allowed inside a response or request body (408 for a request)");
    t.seconds("idle-timeout", &O::idle_timeout, "Seconds an idle client connection is kept");
    t.seconds("header-timeout", &O::header_timeout, "Seconds a client has to send a request head");
    t.flag("no-collapse", &O::no_collapse, "Send concurrent misses for one URL to the origin separately");
    t.text("dns-servers", &O::dns_servers, "ADDR[:PORT]", dns::client::kDnsServersHelp);
    t.flag("no-fsync", &O::no_fsync,
           "Do not fsync stored objects (faster; a power cut may then lose recent objects)");
    return t;
  }();
  return table;
}

Expected<ProxyServiceConfig, std::string> build_proxy_config(const ProxyServiceOptions& o) {
  if (o.cache_dir.empty())
    return Unexpected(std::string("--cache-dir is required: the directory where the cache keeps objects"));
  ProxyServiceConfig out;
  cache::StoreOptions& store = out.store;
  store.dir = o.cache_dir;
  store.max_bytes = o.cache_size;
  store.memory_bytes = o.memory_size;
  store.memory_object_max = o.memory_object_max;
  store.max_object_bytes = o.max_object_size;
  store.fsync = !o.no_fsync;
  store.eviction = o.eviction == "lru" ? cache::EvictionKind::lru : cache::EvictionKind::s3fifo;
  if (store.max_object_bytes > store.max_bytes)
    return Unexpected(
        std::string("--max-object-size is larger than --cache-size: no such object could ever be stored"));

  ProxyConfig& config = out.proxy;
  for (const auto& text : o.origins) {
    auto rule = parse_origin(text);
    if (!rule) return Unexpected(rule.error());
    config.routes.origins.push_back(std::move(*rule));
  }
  config.routes.mode = o.origins.empty() ? ProxyMode::forward : ProxyMode::reverse;
  // RFC 9213: targeted fields address the caches a site operates (a CDN, a reverse proxy), never a forward
  // proxy in front of browsers. Our own field first, then CDN-Cache-Control.
  if (!o.targeted_cache_control.empty()) {
    if (config.routes.mode != ProxyMode::reverse)
      return Unexpected(
          std::string("--targeted-cache-control is for a reverse proxy: give --origin too, or leave it out"));
    std::string name = o.targeted_cache_control;
    for (char& c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
        return Unexpected("--targeted-cache-control: '" + o.targeted_cache_control +
                          "' is not a field name (letters, digits, '-')");
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    store.heuristic.targeted_fields.push_back(std::move(name));
  }
  auto& targeted = store.heuristic.targeted_fields;
  // Then Surrogate-Control (W3C Edge Architecture), which origins behind a surrogate still send: it has the
  // lowest precedence, as the oldest and least precise.
  if (config.routes.mode == ProxyMode::reverse) {
    for (const char* name : {"cdn-cache-control", "surrogate-control"})
      if (std::find(targeted.begin(), targeted.end(), name) == targeted.end()) targeted.push_back(name);
  }
  if (!o.connect_ports.empty()) {
    config.connect_ports.clear();
    for (const auto& p : o.connect_ports) {
      auto range = parse_port_range(p, "--connect-port");
      if (!range) return Unexpected(range.error());
      config.connect_ports.push_back(*range);
    }
  }
  if (!o.allow_destinations.empty()) {
    auto acl = core::AddressAcl::parse(o.allow_destinations);
    if (!acl) return Unexpected("--allow-destination " + acl.error());
    config.allow_destinations = std::move(*acl);
  }
  config.routes.keep_underscore_fields = o.keep_underscore_fields;
  if (!o.purge_from.empty()) {
    auto acl = core::AddressAcl::parse(o.purge_from);
    if (!acl) return Unexpected("--purge-from " + acl.error());
    config.purge_from = std::move(*acl);
  }
  for (char c : o.via) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
      return Unexpected(std::string("--via: use letters, digits, '-', '.' and '_' only"));
  }
  config.via = "1.1 " + o.via;
  config.via_h2 = "2 " + o.via;
  config.cache_name = o.via;
  // Our name is also our Surrogate-Control device token, announced to the origins we stand in front of.
  store.heuristic.surrogate_token = o.via;
  if (config.routes.mode == ProxyMode::reverse)
    config.surrogate_capability = cache::surrogate_capability(o.via);
  config.collapse = !o.no_collapse;
  config.connect_timeout = core::seconds_as(o.connect_timeout);
  config.upstream_timeout = core::seconds_as(o.upstream_timeout);
  config.read_timeout = core::seconds_as(o.read_timeout);
  config.idle_timeout = core::seconds_as(o.idle_timeout);
  config.header_timeout = core::seconds_as(o.header_timeout);
  if (!o.dns_servers.empty()) {
    auto resolver = dns::client::name_resolver_for(o.dns_servers);
    if (!resolver) return Unexpected(resolver.error());
    config.resolver = std::move(*resolver);
  }
  config.request_limits.max_body_size = o.max_request_body;
  config.max_body_buffer = o.max_body_buffer;
  if (config.max_body_buffer < config.request_limits.max_body_size)
    return Unexpected(std::string(
        "--max-body-buffer is smaller than --max-request-body: a body at the limit could never be buffered "
        "(it would get 503 forever)"));
  config.request_limits.max_head_bytes = static_cast<std::size_t>(o.max_header_size);
  config.request_limits.max_start_line =
      std::min<std::size_t>(config.request_limits.max_start_line, config.request_limits.max_head_bytes);

  out.access_log = o.access_log;
  out.access_log_format = o.access_log_format == "json" ? AccessLog::Format::json : AccessLog::Format::text;
  return out;
}

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "proxy";
  d.summary = "Caching Web proxy (RFC 9111): forward, reverse, with its own disk cache";
  d.serve_help = "Run the caching proxy";
  d.examples =
      "  endhost proxy serve --cache-dir /tmp/cache                       forward proxy on 127.0.0.1:3128\n"
      "  curl -x http://127.0.0.1:3128 http://example.com/\n"
      "  endhost proxy serve --cache-dir /tmp/cache --listen 127.0.0.1:8080 --origin http://127.0.0.1:8000\n"
      "  endhost proxy serve --cache-dir c --origin a.test=http://10.0.0.1 --origin b.test=http://10.0.0.2";
  d.port = kProxyPort;
  d.transports = {true, false};
  core::use_settings(
      d, proxy_settings(),
      [](ProxyServiceOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto config = build_proxy_config(options);
        if (!config) return Unexpected(core::ServiceError{config.error()});
        auto made = ProxyService::create(std::move(*config), env);
        if (!made) return Unexpected(made.error());
        return std::unique_ptr<core::Service>(std::move(*made));
      });
  registry.add(std::move(d));
}

Expected<std::unique_ptr<ProxyService>, core::ServiceError> ProxyService::create(ProxyServiceConfig config,
                                                                                 core::ServiceEnv& env) {
  auto opened = cache::Store::open(config.store);
  if (!opened) return Unexpected(core::ServiceError{"cannot open the cache: " + opened.error(), false});
  const auto stats = (*opened)->stats();
  env.log.info("cache opened", {{"dir", config.store.dir.string()},
                                {"objects", static_cast<std::int64_t>(stats.objects)},
                                {"bytes", static_cast<std::int64_t>(stats.bytes)},
                                {"discarded", static_cast<std::int64_t>(stats.discarded)}});
  std::unique_ptr<AccessLog> access_log;
  if (!config.access_log.empty()) {
    const bool to_stdout = config.access_log == "-";
    std::FILE* f = to_stdout ? stdout : std::fopen(config.access_log.c_str(), "a");
    if (!f)
      return Unexpected(core::ServiceError{
          "cannot open --access-log " + config.access_log + ": " + std::strerror(errno), false});
    access_log = std::make_unique<AccessLog>(f, !to_stdout, config.access_log_format, env.loops.size());
  }
  // Names are looked up where the host says (the lab's resolver knows the lab's names; the system's does
  // not), unless --dns-servers named a server.
  if (!config.proxy.resolver) config.proxy.resolver = env.resolver;
  if (!config.proxy.resolver) config.proxy.resolver = std::make_shared<core::SystemNameResolver>();
  config.proxy.source_address = env.source_address;
  config.proxy.socket_place = env.socket_place;
  config.proxy.client_transcript = env.transcript;
  config.proxy.upstream_transcript = core::Transcript(env.transcripts, env.transcript.service() + ">origin");
  return std::unique_ptr<ProxyService>(
      new ProxyService(std::move(config), std::move(*opened), std::move(access_log), env));
}

ProxyService::ProxyService(ProxyServiceConfig config, std::unique_ptr<cache::Store> store,
                           std::unique_ptr<AccessLog> access_log, core::ServiceEnv& env)
    : log_(env.log),
      cache_dir_(config.store.dir.string()),
      access_log_path_(config.access_log),
      listen_(env.tcp_listen),
      store_(std::move(store)),
      access_log_(std::move(access_log)) {
  proxy_ = std::make_unique<ProxyServer>(std::move(config.proxy), *store_, env.loops, env.metrics, env.log,
                                         access_log_.get());
  auto* p = proxy_.get();
  tcp_ = std::make_unique<core::TcpServer>(
      env.loops, env.log,
      core::TcpServerOptions{"proxy", env.max_connections, [p](core::Connection& c) { return p->serve(c); },
                             [p](core::Connection& c) { return p->refuse(c); }});
  if (env.tls) tcp_->set_tls(env.tls, {"h2", "http/1.1"});  // h2 first: RFC 9113 §3.2
  drain_with(*tcp_);
  drain_with(*proxy_);  // its background revalidations
}

ProxyService::~ProxyService() = default;

Expected<void, std::string> ProxyService::bind(core::Binder& binder) {
  if (auto ok = binder.tcp(*tcp_, listen_); !ok) return ok;
  // Requests for our own addresses are forwarding loops (508).
  proxy_->set_listening(tcp_->local_endpoints());
  return {};
}

void ProxyService::start() {
  tcp_->start();
}

}  // namespace endhost::http::proxy

namespace endhost::http::proxy {

void ProxyService::reload() {
  if (!access_log_ || access_log_path_ == "-") return;
  if (!access_log_->reopen(access_log_path_))
    log_.error("access log not re-opened, still writing the previous file",
               {{"service", "proxy"}, {"path", access_log_path_}, {"error", std::strerror(errno)}});
}

}  // namespace endhost::http::proxy
