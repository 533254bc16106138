// `endhost dns query`: the dig-like client with its iterative --trace. `dns serve`, the authoritative server,
// comes from the service registry (dns/server/auth_service.hpp).

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/host_port.hpp"
#include "dns/client/query_client.hpp"
#include "dns/server/auth_service.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::cli {

namespace {

using dns::server::kDnsPort;

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
  auto& dns = service_command(root, "dns");
  add_query(dns, run);
}

}  // namespace endhost::cli
