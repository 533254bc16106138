#include "dns/server/auth_service.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "core/host_port.hpp"
#include "dns/server/secondary.hpp"
#include "dns/server/zone_files.hpp"

namespace endhost::dns::server {

namespace {

Expected<asio::ip::udp::endpoint, std::string> ip_endpoint(const std::string& text,
                                                           const std::string& option) {
  auto hp = core::parse_host_port(text, kDnsPort);
  if (!hp) return Unexpected(option + " " + text + ": " + hp.error());
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hp->host, ec);
  if (ec) return Unexpected(option + " " + text + ": '" + hp->host + "' is not an IP address");
  return asio::ip::udp::endpoint(address, hp->port);
}

// DNS serves UDP and TCP on the same addresses: the host's UDP endpoints, or its TCP ones when it gave none.
std::vector<asio::ip::udp::endpoint> listen_endpoints(const core::ServiceEnv& env) {
  if (!env.udp_listen.empty()) return env.udp_listen;
  std::vector<asio::ip::udp::endpoint> out;
  for (const auto& ep : env.tcp_listen) out.emplace_back(ep.address(), ep.port());
  return out;
}

// The configured key named `name` (`,key=NAME` of --secondary and --notify), or why there is none.
Expected<TsigKey, std::string> named_key(const std::vector<TsigKey>& keys, const Name& name,
                                         const std::string& option, const std::string& text) {
  for (const auto& k : keys) {
    if (k.name.view() == name.view()) return k;
  }
  return Unexpected(option + " " + text + ": no --tsig-key named " + name.to_string() + " (give --tsig-key " +
                    name.to_string() + ":hmac-sha256:BASE64)");
}

}  // namespace

std::string default_version_string() {
  return std::string("endhost ") + ENDHOST_VERSION;
}

const core::SettingTable<AuthServiceOptions>& auth_settings() {
  using O = AuthServiceOptions;
  static const auto table = [] {
    core::SettingTable<O> t;
    t.texts("zone", &O::zones, "[ORIGIN=]FILE",
            "A primary zone file, repeatable. The origin is the file's SOA owner, or give ORIGIN=FILE")
        .alias("-z");
    t.texts("secondary", &O::secondaries, "ZONE=ADDR:PORT[,key=KEY]",
            "Serve a copy of ZONE transferred from PRIMARY (AXFR at start, on NOTIFY and every SOA refresh); "
            "with key=, a --tsig-key signs the requests and must sign the answers and NOTIFYs");
    t.text("state", &O::state_dir, "DIR", "Directory where secondary zones are kept durably across restarts");
    t.texts("allow-transfer", &O::allow_transfer, "CIDR",
            "Clients allowed to transfer zones (AXFR over TCP), repeatable; others get REFUSED");
    t.texts("notify", &O::notify, "ADDR:PORT[,key=KEY]",
            "Secondary to send a NOTIFY when a reload (SIGHUP) grows a zone's serial, repeatable; with key=, "
            "signed with that --tsig-key");
    t.integer("max-udp-payload", &O::max_udp_payload, std::uint16_t{512}, std::uint16_t{65535},
              "Largest UDP answer (EDNS payload size we advertise); longer answers are truncated (TC)",
              "BYTES");
    t.seconds("idle-timeout", &O::idle_timeout, "Seconds a TCP client may stay silent between queries");
    t.seconds("io-timeout", &O::io_timeout,
              "Seconds to finish receiving a started TCP message, for each write, and per transfer message");
    t.integer("max-zone-records", &O::max_zone_records, std::size_t{1}, std::size_t{100'000'000},
              "Most records one zone (file or transfer) may have");
    t.integer("max-zone-bytes", &O::max_zone_bytes, std::size_t{1}, std::size_t{1} << 34,
              "Largest zone file, $INCLUDEs counted, in octets", "BYTES");
    t.integer("udp-batch", &O::udp_batch, std::size_t{1}, std::size_t{1024},
              "UDP queries read (recvmmsg) and answered (sendmmsg) per system call");
    t.flag("reuseport", &O::reuseport,
           "One UDP socket per thread (SO_REUSEPORT): the kernel spreads clients over threads by address");
    t.text("version-string", &O::version_string, "TEXT",
           "What version.bind and version.server (class CH, TXT) answer; empty refuses them");
    t.text(
        "identity", &O::identity, "TEXT",
        "What hostname.bind, id.server and hostname.server (class CH, TXT) answer; default this host's name");
    t.texts(
        "tsig-key", &O::tsig_keys, "NAME:ALG:BASE64",
        "A TSIG key (RFC 8945; hmac-sha1, hmac-sha256, hmac-sha512), repeatable: signed requests are checked "
        "and answered signed, and a signed transfer request is allowed as --allow-transfer would");
    t.flag("no-identity", &O::no_identity, "Refuse every class CH query (version.bind, id.server, …)");
    return t;
  }();
  return table;
}

Expected<AuthServerConfig, std::string> auth_server_config(const AuthServiceOptions& o) {
  AuthServerConfig c;
  if (o.zones.empty() && o.secondaries.empty())
    return Unexpected(
        std::string("nothing to serve: give --zone FILE (a primary zone) or --secondary ZONE=PRIMARY"));
  for (const auto& k : o.tsig_keys) {
    auto key = parse_tsig_key(k);
    if (!key) return Unexpected(key.error());
    c.query.tsig_keys.push_back(std::move(*key));
  }
  for (const auto& z : o.zones) {
    auto spec = parse_primary_zone_spec(z);
    if (!spec) return Unexpected(spec.error());
    c.zones.primaries.push_back(*spec);
  }
  for (const auto& s : o.secondaries) {
    auto spec = parse_secondary_spec(s);
    if (!spec) return Unexpected(spec.error());
    if (spec->key_name) {
      auto key = named_key(c.query.tsig_keys, *spec->key_name, "--secondary", s);
      if (!key) return Unexpected(key.error());
      spec->key = std::move(*key);
    }
    c.zones.secondaries.push_back(spec->origin);
    c.secondaries.push_back(*spec);
  }
  if (!c.secondaries.empty() && o.state_dir.empty())
    return Unexpected(
        std::string("--secondary needs --state DIR, where transferred zones are kept across restarts"));
  c.zones.state_dir = o.state_dir;
  c.zones.limits.max_records = o.max_zone_records;
  c.zones.limits.max_file_bytes = o.max_zone_bytes;
  for (const auto& a : o.allow_transfer) {
    if (auto ok = c.allow_transfer.add(a); !ok) return Unexpected("--allow-transfer " + ok.error());
  }
  for (const auto& n : o.notify) {
    // ADDR:PORT[,key=KEYNAME], as --secondary names its key.
    const auto comma = n.find(',');
    auto ep = ip_endpoint(n.substr(0, comma), "--notify");
    if (!ep) return Unexpected(ep.error());
    std::optional<TsigKey> key;
    if (comma != std::string::npos) {
      const std::string option = n.substr(comma + 1);
      const bool named = option.rfind("key=", 0) == 0 && option.size() > 4;
      auto name = Name::from_string(named ? std::string_view(option).substr(4) : std::string_view("."));
      if (!named || !name)
        return Unexpected("--notify " + n + ": '" + option +
                          "' is not key=KEYNAME (write ADDR:PORT[,key=KEYNAME], e.g. 192.0.2.2:53,key=xfr)");
      auto found = named_key(c.query.tsig_keys, *name, "--notify", n);
      if (!found) return Unexpected(found.error());
      key = std::move(*found);
    }
    c.notify.targets.push_back(*ep);
    c.notify.keys.push_back(std::move(key));
  }
  c.query.max_udp_payload = o.max_udp_payload;
  c.query.identity_enabled = !o.no_identity;
  c.query.version_text = o.version_string;
  c.query.hostname_text = o.identity;
  if (c.query.hostname_text.empty()) {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) == 0) c.query.hostname_text = host.data();
  }
  c.tcp.idle_timeout = core::seconds_as(o.idle_timeout);
  c.tcp.io_timeout = core::seconds_as(o.io_timeout);
  c.secondary_timers.io_timeout = c.tcp.io_timeout;
  c.udp.batch = o.udp_batch;
  c.udp.reuseport = o.reuseport;
  return c;
}

Expected<void, std::string> ensure_state_dir(const std::string& dir) {
  if (dir.empty()) return {};
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Unexpected("cannot create --state " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Unexpected("--state " + dir + " is not a directory");
  return {};
}

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "dns";
  d.summary = "Authoritative DNS server and a dig-like client with --trace";
  d.serve_help = "Authoritative DNS server: zones from files or from a primary (AXFR)";
  d.examples =
      "  endhost dns serve --listen 127.0.0.1:5300 --zone examples/zones/networkutopia.com.zone\n"
      "  dig @127.0.0.1 -p 5300 www.networkutopia.com\n"
      "  endhost dns serve --listen 127.0.0.1:5301 --secondary networkutopia.com=127.0.0.1:5300 --state "
      "/tmp/sec\n"
      "Send SIGHUP to reload the zone files; queries keep being answered meanwhile.";
  d.port = kDnsPort;
  d.transports = {true, true};
  core::use_settings(
      d, auth_settings(),
      [](AuthServiceOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto config = auth_server_config(options);
        if (!config) return Unexpected(core::ServiceError{config.error()});
        if (auto ok = ensure_state_dir(options.state_dir); !ok)
          return Unexpected(core::ServiceError{ok.error(), false});
        config->listen = listen_endpoints(env);
        config->max_connections = env.max_connections;
        config->query.transcript = env.transcript;
        config->source_address = env.source_address;
        config->notify.source = env.source_address;
        config->socket_place = env.socket_place;
        config->notify.place = env.socket_place;
        config->tls = env.tls;  // DNS over TLS (RFC 7858): ALPN "dot", set by the server
        auto server = std::make_unique<AuthServer>(env.loops, env.log, env.metrics, std::move(*config));
        if (auto ok = server->load_zones(); !ok) return Unexpected(core::ServiceError{ok.error(), false});
        return std::unique_ptr<core::Service>(std::move(server));
      });
  registry.add(std::move(d));
}

}  // namespace endhost::dns::server
