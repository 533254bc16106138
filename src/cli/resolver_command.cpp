// `endhost resolver serve`: the caching recursive resolver (the textbook's "local DNS server"), resolving
// iteratively from the root hints for the clients in --allow.

#include <filesystem>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/binder.hpp"
#include "dns/resolver/resolver_service.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kDnsPort = 53;
// Debian's dns-root-data package installs the IANA root hints here.
constexpr const char* kSystemRootHints = "/usr/share/dns/root.hints";

struct ServeOptions {
  ServerOptions server;
  std::string root_hints;
  std::vector<std::string> allow;
  std::uint16_t query_port = kDnsPort;
  std::size_t cache_mib = 64;
  std::uint32_t max_ttl = 86'400;
  std::uint32_t max_negative_ttl = 3'600;
  double resolution_timeout = 10;
  bool ipv6 = false;
  std::uint16_t max_udp_payload = dns::kDefaultEdnsPayload;
  std::size_t max_resolutions = 1000;
  double idle_timeout = 10;
};

dns::resolver::RootHints read_root_hints(const std::string& given) {
  std::string path = given;
  if (path.empty()) {
    if (!std::filesystem::exists(kSystemRootHints)) {
      throw UsageError(std::string("give --root-hints FILE (a named.root file); ") + kSystemRootHints +
                       " is not installed (Debian package dns-root-data)");
    }
    path = kSystemRootHints;
  }
  auto text = dns::file_loader(dns::resolver::kMaxRootHintsFileBytes)(path);
  if (!text) throw RuntimeError("--root-hints " + path + ": " + text.error());
  auto hints = dns::resolver::parse_root_hints(*text, path);
  if (!hints) throw RuntimeError("--root-hints: " + hints.error());
  return std::move(*hints);
}

dns::resolver::ResolverServiceConfig service_config(const ServeOptions& o) {
  dns::resolver::ResolverServiceConfig c;
  if (!o.allow.empty()) {
    auto acl = core::AddressAcl::parse(o.allow);
    if (!acl) throw UsageError("--allow " + acl.error());
    c.acl = std::move(*acl);
  }
  if (o.query_port == 0) throw UsageError("--query-port must be 1 to 65535");
  c.engine.query_port = o.query_port;
  c.engine.use_ipv6 = o.ipv6;
  c.engine.timing.resolution_timeout = std::chrono::duration_cast<dns::resolver::Millis>(
      seconds_option(o.resolution_timeout, "--resolution-timeout"));
  c.cache.max_bytes = core::ByteCount(std::uint64_t{o.cache_mib} << 20);
  c.cache.max_ttl = dns::Ttl{o.max_ttl};
  c.cache.max_negative_ttl = dns::Ttl{o.max_negative_ttl};
  c.max_udp_payload = o.max_udp_payload;
  c.max_resolutions_per_loop = o.max_resolutions;
  c.tcp_idle_timeout =
      std::chrono::duration_cast<dns::resolver::Millis>(seconds_option(o.idle_timeout, "--idle-timeout"));
  c.max_connections = o.server.max_connections;
  c.hints = read_root_hints(o.root_hints);
  return c;
}

int serve(const ServeOptions& o) {
  auto endpoints = udp_listen_endpoints(o.server, kDnsPort);
  auto config = service_config(o);
  auto rt = make_runtime(o.server);
  config.transcript = rt.transcript("resolver");
  config.tls = rt.tls;
  std::string allowed;
  for (const auto& c : config.acl.blocks()) allowed += (allowed.empty() ? "" : ",") + c.to_string();
  std::size_t roots = config.hints.servers.size();
  dns::resolver::ResolverService service(*rt.host, std::move(config));
  for (const auto& ep : endpoints) {
    if (auto ok = service.listen(ep.address(), ep.port()); !ok) throw RuntimeError(ok.error());
  }
  core::Binder binder(*rt.log, "resolver");
  for (const auto& ep : service.udp_endpoints()) binder.listening("udp", ep);
  for (const auto& ep : service.tcp_endpoints()) binder.listening("tcp", ep);
  rt.log->info("resolver ready", {{"root_servers", roots}, {"allow", allowed}, {"query_port", o.query_port}});
  service.start();
  drop_privileges(o.server, *rt.log, binder.lowest_port());
  return rt.host->run();
}

}  // namespace

void add_resolver_commands(CLI::App& root, RunFn& run) {
  auto* resolver = root.add_subcommand("resolver", "Caching recursive DNS resolver (the local DNS server)");
  resolver->require_subcommand(1);

  auto o = std::make_shared<ServeOptions>();
  auto* cmd = resolver->add_subcommand(
      "serve", "Resolve clients' questions iteratively from the root, caching answers for their TTL");
  add_server_options(*cmd, o->server, "127.0.0.1:53");
  cmd->add_option("--root-hints", o->root_hints,
                  std::string("named.root file listing the root servers (default ") + kSystemRootHints + ")")
      ->type_name("FILE");
  cmd->add_option("--allow", o->allow,
                  "Clients served, as CIDR prefixes; repeatable. Others get REFUSED (default: loopback only, "
                  "127.0.0.0/8 and ::1)")
      ->type_name("CIDR");
  cmd->add_option("--query-port", o->query_port,
                  "Port every outgoing query goes to, for a hierarchy of servers on loopback addresses")
      ->capture_default_str();
  cmd->add_option("--cache-size", o->cache_mib, "Cache size in MiB (RRsets and negative answers)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 16))
      ->capture_default_str();
  cmd->add_option("--max-ttl", o->max_ttl, "Longest time, in seconds, anything stays cached")
      ->check(CLI::Range(1u, dns::kMaxTtl))
      ->capture_default_str();
  cmd->add_option("--max-negative-ttl", o->max_negative_ttl,
                  "Longest time, in seconds, a negative answer stays cached (RFC 2308)")
      ->check(CLI::Range(1u, dns::kMaxTtl))
      ->capture_default_str();
  cmd->add_option("--resolution-timeout", o->resolution_timeout,
                  "Seconds allowed to resolve one question before the client gets SERVFAIL")
      ->capture_default_str();
  cmd->add_flag("--ipv6", o->ipv6, "Also query name servers over IPv6");
  cmd->add_option("--max-udp-payload", o->max_udp_payload, "EDNS UDP payload size for answers to clients")
      ->check(CLI::Range(512, 65535))
      ->capture_default_str();
  cmd->add_option("--max-resolutions", o->max_resolutions,
                  "Questions resolved at once per thread; beyond, new ones are dropped")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", o->idle_timeout, "Seconds a TCP client may stay silent between queries")
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  endhost resolver serve --listen 127.0.0.1:5353\n"
      "  dig @127.0.0.1 -p 5353 www.example.com\n"
      "  endhost resolver serve --root-hints lab.root --query-port 5300 --allow 127.0.0.0/8 --trace");
  cmd->callback([o, &run] { run = [o] { return serve(*o); }; });
}

}  // namespace endhost::cli
