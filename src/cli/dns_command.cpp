// `endhost dns serve|query`: the authoritative DNS server (zones from files or from a primary) and the
// dig-like client with its iterative --trace.

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/binder.hpp"
#include "core/host_port.hpp"
#include "dns/client/query_client.hpp"
#include "dns/server/auth_server.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kDnsPort = 53;

struct ServeOptions {
  ServerOptions server;
  std::vector<std::string> zones;
  std::vector<std::string> secondaries;
  std::string state_dir;
  std::vector<std::string> allow_transfer;
  std::vector<std::string> notify;
  std::uint16_t max_udp_payload = dns::kDefaultEdnsPayload;
  double idle_timeout = 10;
  double io_timeout = 10;
  std::size_t max_zone_records = dns::kDefaultMaxZoneRecords;
  std::size_t max_zone_bytes = dns::kDefaultMaxZoneFileBytes;
  std::size_t udp_batch = 32;
  bool reuseport = false;
};

std::chrono::milliseconds ms_option(double seconds, const std::string& name) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(seconds, name));
}

asio::ip::udp::endpoint ip_endpoint(const std::string& text, const std::string& option) {
  auto hp = core::parse_host_port(text, kDnsPort);
  if (!hp) throw UsageError(option + " " + text + ": " + hp.error());
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError(option + " " + text + ": '" + hp->host + "' is not an IP address");
  return {address, hp->port};
}

dns::server::AuthServerConfig server_config(const ServeOptions& o) {
  dns::server::AuthServerConfig c;
  if (o.zones.empty() && o.secondaries.empty())
    throw UsageError("nothing to serve: give --zone FILE (a primary zone) or --secondary ZONE=PRIMARY");
  for (const auto& z : o.zones) {
    auto spec = dns::server::parse_primary_zone_spec(z);
    if (!spec) throw UsageError(spec.error());
    c.zones.primaries.push_back(*spec);
  }
  for (const auto& s : o.secondaries) {
    auto spec = dns::server::parse_secondary_spec(s);
    if (!spec) throw UsageError(spec.error());
    c.zones.secondaries.push_back(spec->origin);
    c.secondaries.push_back(*spec);
  }
  if (!c.secondaries.empty() && o.state_dir.empty())
    throw UsageError("--secondary needs --state DIR, where transferred zones are kept across restarts");
  c.zones.state_dir = o.state_dir;
  c.zones.limits.max_records = o.max_zone_records;
  c.zones.limits.max_file_bytes = o.max_zone_bytes;
  for (const auto& a : o.allow_transfer) {
    if (auto ok = c.allow_transfer.add(a); !ok) throw UsageError("--allow-transfer " + ok.error());
  }
  for (const auto& n : o.notify) c.notify.targets.push_back(ip_endpoint(n, "--notify"));
  c.query.max_udp_payload = o.max_udp_payload;
  c.tcp.idle_timeout = ms_option(o.idle_timeout, "--idle-timeout");
  c.tcp.io_timeout = ms_option(o.io_timeout, "--io-timeout");
  c.secondary_timers.io_timeout = c.tcp.io_timeout;
  c.max_connections = o.server.max_connections;
  c.udp.batch = o.udp_batch;
  c.udp.reuseport = o.reuseport;
  return c;
}

void ensure_state_dir(const std::string& dir) {
  if (dir.empty()) return;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw RuntimeError("cannot create --state " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw RuntimeError("--state " + dir + " is not a directory");
}

int serve(const ServeOptions& o) {
  auto config = server_config(o);
  auto endpoints = udp_listen_endpoints(o.server, kDnsPort);
  ensure_state_dir(o.state_dir);
  auto rt = make_runtime(o.server);
  config.query.transcript = rt.transcript("dns");
  config.tls = rt.tls;
  dns::server::AuthServer server(*rt.host, std::move(config));
  if (auto ok = server.load_zones(); !ok) throw RuntimeError(ok.error());
  for (const auto& ep : endpoints) {
    if (auto ok = server.listen(ep.address(), ep.port()); !ok) throw RuntimeError(ok.error());
  }
  core::Binder binder(*rt.log, "dns");
  for (const auto& ep : server.udp_endpoints()) binder.listening("udp", ep);
  for (const auto& ep : server.tcp_endpoints()) binder.listening("tcp", ep);
  server.start();
  drop_privileges(o.server, *rt.log, binder.lowest_port(), {o.state_dir});
  return rt.host->run();
}

void add_serve(CLI::App& dns, RunFn& run) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd =
      dns.add_subcommand("serve", "Authoritative DNS server: zones from files or from a primary (AXFR)");
  add_server_options(*cmd, o->server, "127.0.0.1:53");
  cmd->add_option("--zone,-z", o->zones,
                  "A primary zone file, repeatable. The origin is the file's SOA owner, or give ORIGIN=FILE")
      ->type_name("[ORIGIN=]FILE");
  cmd->add_option(
         "--secondary", o->secondaries,
         "Serve a copy of ZONE transferred from PRIMARY (AXFR at start, on NOTIFY and every SOA refresh)")
      ->type_name("ZONE=ADDR:PORT");
  cmd->add_option("--state", o->state_dir, "Directory where secondary zones are kept durably across restarts")
      ->type_name("DIR");
  cmd->add_option("--allow-transfer", o->allow_transfer,
                  "Clients allowed to transfer zones (AXFR over TCP), repeatable; others get REFUSED")
      ->type_name("CIDR");
  cmd->add_option("--notify", o->notify,
                  "Secondary to send a NOTIFY when a reload (SIGHUP) grows a zone's serial, repeatable")
      ->type_name("ADDR:PORT");
  cmd->add_option("--max-udp-payload", o->max_udp_payload,
                  "Largest UDP answer (EDNS payload size we advertise); longer answers are truncated (TC)")
      ->check(CLI::Range(512, 65535))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", o->idle_timeout, "Seconds a TCP client may stay silent between queries")
      ->capture_default_str();
  cmd->add_option(
         "--io-timeout", o->io_timeout,
         "Seconds to finish receiving a started TCP message, for each write, and per transfer message")
      ->capture_default_str();
  cmd->add_option("--max-zone-records", o->max_zone_records,
                  "Most records one zone (file or transfer) may have")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
      ->capture_default_str();
  cmd->add_option("--max-zone-bytes", o->max_zone_bytes, "Largest zone file, $INCLUDEs counted, in octets")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 34))
      ->capture_default_str();
  cmd->add_option("--udp-batch", o->udp_batch,
                  "UDP queries read (recvmmsg) and answered (sendmmsg) per system call")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
      ->capture_default_str();
  cmd->add_flag(
      "--reuseport", o->reuseport,
      "One UDP socket per thread (SO_REUSEPORT): the kernel spreads clients over threads by address");
  cmd->footer(
      "Examples:\n"
      "  endhost dns serve --listen 127.0.0.1:5300 --zone examples/zones/networkutopia.com.zone\n"
      "  dig @127.0.0.1 -p 5300 www.networkutopia.com\n"
      "  endhost dns serve --listen 127.0.0.1:5301 --secondary networkutopia.com=127.0.0.1:5300 --state "
      "/tmp/sec\n"
      "Send SIGHUP to reload the zone files; queries keep being answered meanwhile.");
  cmd->callback([o, &run] { run = [o] { return serve(*o); }; });
}

struct QueryArgs {
  std::string name;
  std::string type = "A";
  std::string server;
  bool tcp = false;
  bool norecurse = false;
  bool no_edns = false;
  std::uint16_t bufsize = dns::kDefaultEdnsPayload;
  double timeout = 5;
  int tries = 3;
  bool trace = false;
  std::string root_hints;
  std::uint16_t query_port = kDnsPort;
};

int query(const QueryArgs& a, bool type_given) {
  dns::client::QueryOptions o;
  auto name = dns::Name::from_string(a.name);
  if (!name) throw UsageError("'" + a.name + "' is not a domain name: " + name.error().to_string());
  o.qname = *name;
  auto type = dns::rrtype_from_string(a.type);
  if (!type)
    throw UsageError("'" + a.type + "' is not a record type (A, AAAA, MX, NS, SOA, TXT, CNAME, TYPE65…)");
  o.qtype = *type;
  o.arguments = a.name + (type_given ? " " + a.type : "") + (a.trace ? " --trace" : "");
  o.tcp = a.tcp;
  o.recurse = !a.norecurse;
  o.edns = !a.no_edns;
  o.udp_payload = a.bufsize;
  o.timeout = ms_option(a.timeout, "--timeout");
  o.tries = a.tries;
  if (a.trace) {
    if (a.root_hints.empty())
      throw UsageError(
          "--trace starts from the root servers: give --root-hints FILE (e.g. examples/zones/root.hints)");
    o.trace = true;
    o.root_hints = a.root_hints;
    o.query_port = a.query_port;
    return dns::client::run_query(o, std::cout, std::cerr);
  }
  std::string server = a.server;
  if (server.empty()) {
    // As dig does: the system's first name server, else the local host.
    auto conf = dns::file_loader(1 << 20)("/etc/resolv.conf");
    if (conf) server = dns::client::first_nameserver(*conf);
    if (!server.empty()) {
      boost::system::error_code ec;
      auto address = asio::ip::make_address(server, ec);
      if (ec || address.is_unspecified())
        throw RuntimeError("the first nameserver of /etc/resolv.conf, '" + server +
                           "', is not an address this client can use; give --server ADDR[:PORT]");
    }
    if (server.empty()) server = "127.0.0.1";
  }
  auto ep = ip_endpoint(server, "--server");
  o.server = ep.address();
  o.port = ep.port();
  o.server_label = ep.address().to_string();
  return dns::client::run_query(o, std::cout, std::cerr);
}

void add_query(CLI::App& dns, RunFn& run) {
  auto a = std::make_shared<QueryArgs>();
  auto* cmd =
      dns.add_subcommand("query", "Ask a DNS server, dig-style; --trace walks root, TLD, authoritative");
  cmd->add_option("name", a->name, "The domain name to look up")->required();
  auto* type =
      cmd->add_option("type", a->type, "Record type: A (default), AAAA, MX, NS, SOA, TXT, CNAME, ANY…");
  cmd->add_option("--server,-s", a->server,
                  "Server to ask, ADDR[:PORT] (default: first nameserver of /etc/resolv.conf, port 53)")
      ->type_name("ADDR:PORT");
  cmd->add_flag("--tcp", a->tcp,
                "Use TCP instead of UDP (UDP answers with TC set are retried over TCP anyway)");
  cmd->add_flag("--norecurse", a->norecurse, "Clear RD: ask the server only for what it knows itself");
  cmd->add_flag("--no-edns", a->no_edns, "Send no EDNS OPT record (answers are then limited to 512 octets)");
  cmd->add_option("--bufsize", a->bufsize, "EDNS UDP payload size to advertise")
      ->check(CLI::Range(512, 65535))
      ->capture_default_str();
  cmd->add_option("--timeout", a->timeout, "Seconds to wait for each answer")->capture_default_str();
  cmd->add_option("--tries", a->tries, "UDP tries per server")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  cmd->add_flag("--trace", a->trace,
                "Resolve iteratively from the root hints, printing each server asked and each referral");
  cmd->add_option("--root-hints", a->root_hints, "Root hints file (named.root format) for --trace")
      ->type_name("FILE");
  cmd->add_option("--query-port", a->query_port, "Port every server is asked on during --trace")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  endhost dns query www.networkutopia.com --server 127.0.0.1:5300\n"
      "  endhost dns query networkutopia.com MX --server 127.0.0.1:5300 --tcp\n"
      "  endhost dns query www.networkutopia.com --trace --root-hints examples/zones/root.hints");
  cmd->callback([a, type, &run] {
    bool type_given = type->count() > 0;
    run = [a, type_given] { return query(*a, type_given); };
  });
}

}  // namespace

void add_dns_commands(CLI::App& root, RunFn& run) {
  auto* dns = root.add_subcommand("dns", "Authoritative DNS server and a dig-like client with --trace");
  dns->require_subcommand(1);
  add_serve(*dns, run);
  add_query(*dns, run);
}

}  // namespace endhost::cli
