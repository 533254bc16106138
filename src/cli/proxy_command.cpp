// `endhost proxy serve|purge`: the Web cache of the textbook, built as operators expect from Squid or
// Varnish — a forward or reverse caching proxy (RFC 9111) with its own disk storage.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "cli/server_options.hpp"
#include "cli/size_option.hpp"
#include "core/binder.hpp"
#include "core/byte_buffer.hpp"
#include "core/dialer.hpp"
#include "core/host_port.hpp"
#include "core/run_client.hpp"
#include "core/stream.hpp"
#include "core/tcp_server.hpp"
#include "core/timeout.hpp"
#include "http/cache/store.hpp"
#include "http/proxy/proxy_server.hpp"
#include "http/response_parser.hpp"
#include "http/server/admin_server.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kProxyPort = 3128;  // Squid's port, the one browsers' proxy settings suggest

struct ServeOptions {
  ServerOptions server;
  std::string cache_dir;
  std::string cache_size = "1G";
  std::string memory_size = "64M";
  std::string memory_object_max = "256K";
  std::string max_object_size = "64M";
  std::vector<std::string> origins;
  std::vector<std::string> connect_ports;
  std::vector<std::string> purge_from;
  std::string access_log;
  std::string access_log_format = "text";
  std::vector<std::string> admin_listen;
  std::string eviction = "s3fifo";
  std::string via = "endhost";
  std::string max_request_body = "16M";
  std::string max_body_buffer = "256M";
  std::string max_header_size = "32K";
  double connect_timeout = 10;
  double upstream_timeout = 30;
  double read_timeout = 30;
  double idle_timeout = 60;
  double header_timeout = 30;
  bool no_collapse = false;
  bool no_fsync = false;
  std::string dns_server;
};

std::chrono::milliseconds ms(double seconds, const std::string& name) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(seconds, name));
}

http::proxy::PortRange parse_port_range(const std::string& text, const std::string& option) {
  auto dash = text.find('-');
  auto first = core::parse_port(text.substr(0, dash));
  auto last = dash == std::string::npos ? first : core::parse_port(text.substr(dash + 1));
  if (!first || !last || *first == 0 || *last < *first)
    throw UsageError(option + ": '" + text + "' is not a port or a range like 8000-8999");
  return {*first, *last};
}

// --origin URL (every Host) or --origin HOST=URL (that Host only).
http::proxy::OriginRule parse_origin(const std::string& text) {
  http::proxy::OriginRule rule;
  std::string url = text;
  if (auto eq = text.find('='); eq != std::string::npos && text.find("://") > eq) {
    rule.host = http::proxy::host_without_port(text.substr(0, eq));
    url = text.substr(eq + 1);
  }
  auto parsed = http::parse_url(url);
  if (!parsed) throw UsageError("--origin: " + parsed.error());
  if (parsed->scheme != "http")
    throw UsageError("--origin: '" + url +
                     "': only http origins are supported (TLS to origins is not implemented)");
  rule.origin = *parsed;
  return rule;
}

int serve(const ServeOptions& o) {
  if (o.cache_dir.empty())
    throw UsageError("--cache-dir is required: the directory where the cache keeps objects");
  http::cache::StoreOptions store_options;
  store_options.dir = o.cache_dir;
  store_options.max_bytes = parse_size(o.cache_size, "--cache-size");
  store_options.memory_bytes = parse_size(o.memory_size, "--memory-size");
  store_options.memory_object_max = parse_size(o.memory_object_max, "--memory-object-max");
  store_options.max_object_bytes = parse_size(o.max_object_size, "--max-object-size");
  store_options.fsync = !o.no_fsync;
  if (o.eviction == "lru")
    store_options.eviction = http::cache::EvictionKind::lru;
  else if (o.eviction != "s3fifo")
    throw UsageError("--eviction must be s3fifo or lru");
  if (store_options.max_object_bytes > store_options.max_bytes)
    throw UsageError("--max-object-size is larger than --cache-size: no such object could ever be stored");

  http::proxy::ProxyConfig config;
  for (const auto& origin : o.origins) config.routes.origins.push_back(parse_origin(origin));
  config.routes.mode = o.origins.empty() ? http::proxy::ProxyMode::forward : http::proxy::ProxyMode::reverse;
  if (!o.connect_ports.empty()) {
    config.connect_ports.clear();
    for (const auto& p : o.connect_ports)
      config.connect_ports.push_back(parse_port_range(p, "--connect-port"));
  }
  if (!o.purge_from.empty()) {
    auto acl = core::AddressAcl::parse(o.purge_from);
    if (!acl) throw UsageError("--purge-from " + acl.error());
    config.purge_from = std::move(*acl);
  }
  for (char c : o.via)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
      throw UsageError("--via: use letters, digits, '-', '.' and '_' only");
  config.via = "1.1 " + o.via;
  config.cache_name = o.via;
  config.collapse = !o.no_collapse;
  config.connect_timeout = ms(o.connect_timeout, "--connect-timeout");
  config.resolver = make_name_resolver(o.dns_server);
  config.upstream_timeout = ms(o.upstream_timeout, "--upstream-timeout");
  config.read_timeout = ms(o.read_timeout, "--read-timeout");
  config.idle_timeout = ms(o.idle_timeout, "--idle-timeout");
  config.header_timeout = ms(o.header_timeout, "--header-timeout");
  config.request_limits.max_body_size = parse_size(o.max_request_body, "--max-request-body");
  config.max_body_buffer = parse_size(o.max_body_buffer, "--max-body-buffer");
  if (config.max_body_buffer < config.request_limits.max_body_size)
    throw UsageError(
        "--max-body-buffer is smaller than --max-request-body: a body at the limit could never be "
        "buffered (it would get 503 forever)");
  config.request_limits.max_head_bytes = parse_size(o.max_header_size, "--max-header-size");
  if (config.request_limits.max_head_bytes < 1024 || config.request_limits.max_head_bytes > 1 << 20)
    throw UsageError("--max-header-size must be between 1K and 1M");
  config.request_limits.max_start_line =
      std::min<std::size_t>(config.request_limits.max_start_line, config.request_limits.max_head_bytes);

  http::proxy::AccessLog::Format format;
  if (o.access_log_format == "text")
    format = http::proxy::AccessLog::Format::text;
  else if (o.access_log_format == "json")
    format = http::proxy::AccessLog::Format::json;
  else
    throw UsageError("--access-log-format must be text or json");

  // The host ends every coroutine on its loops when run() returns, or in its destructor: sessions that refer
  // to these are gone before them, whichever is declared first.
  std::unique_ptr<http::cache::Store> store;
  std::unique_ptr<http::proxy::AccessLog> access_log;
  std::unique_ptr<http::proxy::ProxyServer> proxy;
  auto rt = make_runtime(o.server);
  // Declared after the runtime, so the listeners close while the event loops they belong to still exist.
  std::unique_ptr<core::TcpServer> tcp;
  std::unique_ptr<web::AdminListener> admin;
  config.client_transcript = rt.transcript("proxy");
  config.upstream_transcript = rt.transcript("proxy>origin");

  auto opened = http::cache::Store::open(store_options);
  if (!opened) throw RuntimeError("cannot open the cache: " + opened.error());
  store = std::move(*opened);
  const auto stats = store->stats();
  rt.log->info("cache opened", {{"dir", o.cache_dir},
                                {"objects", static_cast<std::int64_t>(stats.objects)},
                                {"bytes", static_cast<std::int64_t>(stats.bytes)},
                                {"discarded", static_cast<std::int64_t>(stats.discarded)}});

  if (!o.access_log.empty()) {
    std::FILE* f = o.access_log == "-" ? stdout : std::fopen(o.access_log.c_str(), "a");
    if (!f) throw RuntimeError("cannot open --access-log " + o.access_log + ": " + std::strerror(errno));
    access_log =
        std::make_unique<http::proxy::AccessLog>(f, o.access_log != "-", format, rt.host->loops().size());
  }
  proxy = std::make_unique<http::proxy::ProxyServer>(std::move(config), *store, rt.host->loops(),
                                                     rt.host->metrics(), *rt.log, access_log.get());
  auto* p = proxy.get();
  tcp = std::make_unique<core::TcpServer>(
      rt.host->loops(), *rt.log,
      core::TcpServerOptions{"proxy", o.server.max_connections,
                             [p](core::Connection& c) { return p->serve(c); },
                             [p](core::Connection& c) { return p->refuse(c); }});
  rt.secure(*tcp, {"http/1.1"});
  std::uint16_t lowest_port = bind_tcp(*tcp, tcp_listen_endpoints(o.server, kProxyPort), *rt.log, "proxy");
  proxy->set_listening(tcp->local_endpoints());
  rt.host->add(*tcp);
  rt.host->add(*proxy);  // its background revalidations
  if (!o.admin_listen.empty()) {
    ServerOptions admin_options = o.server;
    admin_options.listen = o.admin_listen;
    admin = std::make_unique<web::AdminListener>(*rt.host, "proxy-admin", [p] { return p->metrics_text(); });
    rt.secure(admin->server(), {"http/1.1"});
    core::Binder binder(*rt.log, "proxy-admin");
    if (auto ok = admin->bind(binder, tcp_listen_endpoints(admin_options, 3129)); !ok)
      throw RuntimeError(ok.error());
    lowest_port = std::min(lowest_port, binder.lowest_port());
  }
  drop_privileges(o.server, *rt.log, lowest_port, {o.cache_dir, o.access_log});
  tcp->start();
  if (admin) admin->start();
  const int code = rt.host->run();
  proxy->flush();
  return code;
}

struct PurgeOptions {
  std::string url;
  std::string proxy = "127.0.0.1:3128";
  double timeout = 10;
  std::string dns_server;
};

awaitable<int> purge(const PurgeOptions& o) {
  auto url = http::parse_url(o.url);
  if (!url) throw UsageError(url.error());
  auto hp = core::parse_host_port(o.proxy, kProxyPort);
  if (!hp) throw UsageError("--proxy: " + hp.error());
  const auto limit =
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(o.timeout, "--timeout"));
  const auto resolver = make_name_resolver(o.dns_server);
  const core::Dialer dialer(*resolver, core::DialOptions{limit, std::nullopt, true});
  auto connected = co_await dialer.connect(hp->host, hp->port);
  if (!connected) {
    if (connected.error().code == core::DialErrc::connect)
      throw RuntimeError(connected.error().message + " (is `endhost proxy serve` running there?)");
    throw RuntimeError(connected.error().message);
  }
  core::Stream socket(std::move(*connected));
  const std::string request = "PURGE " + url->to_string() + " HTTP/1.1\r\nHost: " + url->authority() +
                              "\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), use_nothrow);
  core::ByteBuffer response(64 * 1024);
  for (;;) {
    auto space = response.read_space();
    if (!space) break;  // enough of an answer to show
    auto r = co_await core::with_timeout(
        socket.async_read_some(asio::buffer(space->data(), space->size()), use_nothrow), limit);
    if (!r) throw RuntimeError("the proxy did not answer within the timeout");
    auto [ec, n] = *r;
    response.commit(n);
    if (ec) break;
  }
  http::ResponseParser parser;
  auto step = parser.parse_head(response.readable());
  if (!step || step->progress != http::Progress::complete)
    throw RuntimeError("the proxy's answer is not HTTP");
  const unsigned code = http::to_int(parser.head().status);
  std::cout << response.readable().substr(step->consumed);
  if (code == 200) co_return 0;
  if (code == 404) co_return 3;  // nothing to purge: distinct, so scripts can tell it from a failure
  std::cerr << "endhost: the proxy refused the purge: " << code << " " << parser.head().reason << "\n";
  co_return 1;
}

}  // namespace

void add_proxy_commands(CLI::App& root, RunFn& run) {
  auto* proxy =
      root.add_subcommand("proxy", "Caching Web proxy (RFC 9111): forward, reverse, with its own disk cache");
  proxy->require_subcommand(1);

  auto so = std::make_shared<ServeOptions>();
  auto* serve_cmd = proxy->add_subcommand("serve", "Run the caching proxy");
  add_server_options(*serve_cmd, so->server, "127.0.0.1:3128");
  serve_cmd->add_option("--cache-dir", so->cache_dir, "Directory of the cache's objects (created if missing)")
      ->required();
  serve_cmd->add_option("--cache-size", so->cache_size, "Disk bound of the cache (K, M, G suffixes)")
      ->capture_default_str();
  serve_cmd->add_option("--memory-size", so->memory_size, "Memory tier for hot small objects")
      ->capture_default_str();
  serve_cmd->add_option("--memory-object-max", so->memory_object_max, "Largest body kept in the memory tier")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-object-size", so->max_object_size,
                   "Larger responses are passed through, not stored")
      ->capture_default_str();
  serve_cmd
      ->add_option("--origin", so->origins,
                   "Reverse proxy to this origin: URL for every Host, or HOST=URL for one Host; repeatable. "
                   "Without --origin the proxy is a forward proxy")
      ->type_name("[HOST=]URL");
  serve_cmd->add_option("--connect-port", so->connect_ports,
                        "Ports CONNECT may reach (N or N-M; repeatable; default 443)");
  serve_cmd->add_option("--purge-from", so->purge_from,
                        "Client addresses allowed to PURGE (ADDR[/PREFIX]; repeatable; default loopback)");
  serve_cmd->add_option("--access-log", so->access_log,
                        "Write one line per request to FILE ('-' for stdout)");
  serve_cmd->add_option("--access-log-format", so->access_log_format, "text or json")->capture_default_str();
  serve_cmd->add_option("--admin-listen", so->admin_listen,
                        "Serve GET /metrics (Prometheus) on this address");
  serve_cmd->add_option("--eviction", so->eviction, "Eviction policy: s3fifo or lru")->capture_default_str();
  serve_cmd->add_option("--via", so->via, "Name in Via and Cache-Status")->capture_default_str();
  serve_cmd
      ->add_option("--max-request-body", so->max_request_body, "Largest request body accepted (413 above)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-body-buffer", so->max_body_buffer,
                   "Request-body bytes held for all clients together (503 with Retry-After above)")
      ->capture_default_str();
  serve_cmd->add_option("--max-header-size", so->max_header_size, "Largest request head accepted (431 above)")
      ->capture_default_str();
  serve_cmd->add_option("--connect-timeout", so->connect_timeout, "Seconds to connect to an origin")
      ->capture_default_str();
  serve_cmd
      ->add_option("--upstream-timeout", so->upstream_timeout,
                   "Seconds for an origin to start answering (504 after)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--read-timeout", so->read_timeout,
                   "Seconds of silence allowed inside a response or request body (408 for a request)")
      ->capture_default_str();
  serve_cmd->add_option("--idle-timeout", so->idle_timeout, "Seconds an idle client connection is kept")
      ->capture_default_str();
  serve_cmd->add_option("--header-timeout", so->header_timeout, "Seconds a client has to send a request head")
      ->capture_default_str();
  serve_cmd->add_flag("--no-collapse", so->no_collapse,
                      "Send concurrent misses for one URL to the origin separately");
  serve_cmd->add_option("--dns-servers", so->dns_server, kDnsServersHelp)->type_name("ADDR[:PORT]");
  serve_cmd->add_flag("--no-fsync", so->no_fsync,
                      "Do not fsync stored objects (faster; a power cut may then lose recent objects)");
  serve_cmd->footer(
      "Examples:\n"
      "  endhost proxy serve --cache-dir /tmp/cache                       forward proxy on 127.0.0.1:3128\n"
      "  curl -x http://127.0.0.1:3128 http://example.com/\n"
      "  endhost proxy serve --cache-dir /tmp/cache --listen 127.0.0.1:8080 --origin http://127.0.0.1:8000\n"
      "  endhost proxy serve --cache-dir c --origin a.test=http://10.0.0.1 --origin b.test=http://10.0.0.2");
  serve_cmd->callback([so, &run] { run = [so] { return serve(*so); }; });

  auto po = std::make_shared<PurgeOptions>();
  auto* purge_cmd = proxy->add_subcommand("purge", "Remove a URL from a running proxy's cache (sends PURGE)");
  purge_cmd->add_option("url", po->url, "The URL to purge, as clients request it")->required();
  purge_cmd->add_option("--proxy", po->proxy, "The proxy, HOST[:PORT]")->capture_default_str();
  purge_cmd->add_option("--timeout", po->timeout, "Seconds to wait for the proxy")->capture_default_str();
  purge_cmd->add_option("--dns-servers", po->dns_server, kDnsServersHelp)->type_name("ADDR[:PORT]");
  purge_cmd->footer(
      "Exit status: 0 purged, 3 the URL was not in the cache, 1 error.\n"
      "Example:\n  endhost proxy purge http://example.com/logo.png --proxy 127.0.0.1:3128");
  purge_cmd->callback([po, &run] {
    run = [po] { return core::run_client([po] { return purge(*po); }, std::cerr, "endhost"); };
  });
}

}  // namespace endhost::cli
