#include "dns/resolver/resolver_settings.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <utility>

#include "dns/resolver/root_hints.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::dns::resolver {

namespace {

Expected<RootHints, core::ServiceError> read_root_hints(const std::string& given) {
  std::string path = given;
  if (path.empty()) {
    if (!std::filesystem::exists(kSystemRootHints)) {
      return Unexpected(core::ServiceError{std::string("give --root-hints FILE (a named.root file); ") +
                                           kSystemRootHints +
                                           " is not installed (Debian package dns-root-data)"});
    }
    path = kSystemRootHints;
  }
  auto text = file_loader(kMaxRootHintsFileBytes)(path);
  if (!text) return Unexpected(core::ServiceError{"--root-hints " + path + ": " + text.error(), false});
  auto hints = parse_root_hints(*text, path);
  if (!hints) return Unexpected(core::ServiceError{"--root-hints: " + hints.error(), false});
  return std::move(*hints);
}

}  // namespace

const core::SettingTable<ResolverOptions>& resolver_settings() {
  static const auto table = [] {
    using O = ResolverOptions;
    core::SettingTable<O> t;
    t.text("root-hints", &O::root_hints, "FILE",
           std::string("named.root file listing the root servers (default ") + kSystemRootHints + ")");
    t.texts("allow", &O::allow, "CIDR",
            "Clients served, as CIDR prefixes; repeatable. Others get REFUSED (default: loopback only, "
            "127.0.0.0/8 and ::1)");
    t.integer("query-port", &O::query_port, std::uint16_t{1}, std::uint16_t{65535},
              "Port every outgoing query goes to, for a hierarchy of servers on loopback addresses", "PORT");
    t.integer("cache-size", &O::cache_mib, std::size_t{1}, std::size_t{1} << 16,
              "Cache size in MiB (RRsets and negative answers)", "MIB");
    t.integer("max-ttl", &O::max_ttl, std::uint32_t{1}, kMaxTtl,
              "Longest time, in seconds, anything stays cached", "SECONDS");
    t.integer("max-negative-ttl", &O::max_negative_ttl, std::uint32_t{1}, kMaxTtl,
              "Longest time, in seconds, a negative answer stays cached (RFC 2308)", "SECONDS");
    t.seconds("resolution-timeout", &O::resolution_timeout,
              "Seconds allowed to resolve one question before the client gets SERVFAIL");
    t.flag("ipv6", &O::ipv6, "Also query name servers over IPv6");
    t.integer("max-udp-payload", &O::max_udp_payload, std::uint16_t{512}, std::uint16_t{65535},
              "EDNS UDP payload size for answers to clients", "BYTES");
    t.integer("max-resolutions", &O::max_resolutions, std::size_t{1}, std::size_t{1'000'000},
              "Questions resolved at once per thread; beyond, new ones are dropped");
    t.seconds("idle-timeout", &O::idle_timeout, "Seconds a TCP client may stay silent between queries");
    return t;
  }();
  return table;
}

Expected<ResolverServiceConfig, core::ServiceError> resolver_config(const ResolverOptions& o) {
  ResolverServiceConfig c;
  if (!o.allow.empty()) {
    auto acl = core::AddressAcl::parse(o.allow);
    if (!acl) return Unexpected(core::ServiceError{"--allow " + acl.error()});
    c.acl = std::move(*acl);
  }
  c.engine.query_port = o.query_port;
  c.engine.use_ipv6 = o.ipv6;
  c.engine.timing.resolution_timeout = core::seconds_as(o.resolution_timeout);
  c.cache.max_bytes = core::ByteCount(std::uint64_t{o.cache_mib} << 20);
  c.cache.max_ttl = Ttl{o.max_ttl};
  c.cache.max_negative_ttl = Ttl{o.max_negative_ttl};
  c.max_udp_payload = o.max_udp_payload;
  c.max_resolutions_per_loop = o.max_resolutions;
  c.tcp_idle_timeout = core::seconds_as(o.idle_timeout);
  auto hints = read_root_hints(o.root_hints);
  if (!hints) return Unexpected(hints.error());
  c.hints = std::move(*hints);
  return c;
}

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "resolver";
  d.summary = "Caching recursive DNS resolver (the local DNS server)";
  d.serve_help = "Resolve clients' questions iteratively from the root, caching answers for their TTL";
  d.examples =
      "  endhost resolver serve --listen 127.0.0.1:5353\n"
      "  dig @127.0.0.1 -p 5353 www.example.com\n"
      "  endhost resolver serve --root-hints lab.root --query-port 5300 --allow 127.0.0.0/8 --trace";
  d.port = kDnsPort;
  d.transports = {true, true};  // RFC 7766: TCP as well as UDP
  core::use_settings(
      d, resolver_settings(),
      [](ResolverOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto config = resolver_config(options);
        if (!config) return Unexpected(config.error());
        // UDP and TCP on the same port of each address; the host gives both lists, the same addresses.
        config->listen = env.udp_listen;
        if (config->listen.empty()) {
          for (const auto& ep : env.tcp_listen) config->listen.emplace_back(ep.address(), ep.port());
        }
        config->max_connections = env.max_connections;
        config->tls = env.tls;  // DNS over TLS (RFC 7858), ALPN "dot"
        config->transcript = env.transcript;
        config->source_address = env.source_address;
        config->socket_place = env.socket_place;
        // Its queries to the authoritative servers go out on its own sockets (upstream.hpp): env.resolver,
        // the resolver other services dial names with, is not for it.
        return std::unique_ptr<core::Service>(
            std::make_unique<ResolverService>(env.loops, env.log, env.metrics, std::move(*config)));
      });
  registry.add(std::move(d));
}

}  // namespace endhost::dns::resolver
