// `endhost dns query`: the dig-like client (endhost's options and dig's grammar) with its iterative --trace.
// `dns serve`, the authoritative server, comes from the service registry (dns/server/auth_service.hpp).

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/host_port.hpp"
#include "dns/client/dig_args.hpp"
#include "dns/client/query_client.hpp"
#include "dns/resolver/resolver_settings.hpp"
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
  std::vector<std::string> words;  // names, types, classes and dig's @server, -p, -x, +options
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

// The server to ask: --server or dig's @server (with -p), else as dig does, the system's first name server,
// else the local host.
asio::ip::udp::endpoint choose_server(const QueryArgs& a, const dns::client::DigArgs& dig) {
  if (!a.server.empty() && !dig.server.empty())
    throw UsageError("give the server once: --server " + a.server + " or @" + dig.server);
  std::string server = !a.server.empty() ? a.server : dig.server;
  const std::string option = !a.server.empty() ? "--server" : "@server";
  if (server.empty()) {
    auto conf = dns::file_loader(1 << 20)("/etc/resolv.conf");
    if (conf) server = dns::client::first_nameserver(*conf);
    if (!server.empty()) {
      boost::system::error_code ec;
      auto address = asio::ip::make_address(server, ec);
      if (ec || address.is_unspecified())
        throw RuntimeError("the first nameserver of /etc/resolv.conf, '" + server +
                           "', is not an address this client can use; give --server ADDR[:PORT] or @ADDR");
    }
    if (server.empty()) server = "127.0.0.1";
  }
  auto ep = ip_endpoint(server, option);
  // -p wins over the default port, not over a port written in the server itself.
  if (auto written = core::parse_host_port(server, 0); dig.port && written && written->port == 0)
    ep.port(*dig.port);
  return ep;
}

int query(const QueryArgs& a) {
  auto dig = dns::client::parse_dig_words(a.words);
  if (!dig) throw UsageError(dig.error());
  dns::client::QueryOptions o;
  o.tcp = a.tcp || dig->tcp.value_or(false);
  o.recurse = !a.norecurse && dig->recurse.value_or(true);
  o.edns = !a.no_edns && dig->edns.value_or(true);
  o.udp_payload = dig->bufsize.value_or(a.bufsize);
  o.timeout = ms_option(dig->timeout.value_or(a.timeout), "--timeout");
  o.tries = dig->tries.value_or(a.tries);
  o.display = dig->display;
  const bool trace = a.trace || dig->trace.value_or(false);
  if (trace) {
    namespace fs = std::filesystem;
    // As `resolver serve`: the system's named.root unless a file is given.
    const std::string system = dns::resolver::kSystemRootHints;
    auto hints = dns::client::trace_root_hints(a.root_hints, fs::exists(system), system);
    if (!hints) throw UsageError(hints.error());
    o.trace = true;
    o.root_hints = *hints;
    o.query_port = dig->port.value_or(a.query_port);
  } else {
    auto ep = choose_server(a, *dig);
    o.server = ep.address();
    o.port = ep.port();
    o.server_label = ep.address().to_string();
  }
  int code = 0;
  for (const auto& q : dig->questions) {
    auto name = dns::Name::from_string(q.name);
    if (!name) throw UsageError("'" + q.name + "' is not a domain name: " + name.error().to_string());
    o.qname = *name;
    o.qtype = q.type;
    o.qclass = q.klass;
    o.arguments = q.typed + (trace ? " --trace" : "");
    const int result = dns::client::run_query(o, std::cout, std::cerr);
    if (code == 0) code = result;  // dig's status is the first failure's
  }
  return code;
}

void add_query(CLI::App& dns, RunFn& run) {
  auto a = std::make_shared<QueryArgs>();
  auto* cmd = dns.add_subcommand(
      "query",
      "Ask a DNS server, dig-style (dig's @server, -p, -x, +short…); --trace walks root, TLD, authoritative");
  // The names, types and dig's words are read in order by dig_args.hpp, so CLI11 leaves them as they came.
  cmd->allow_extras();
  cmd->add_option("--server,-s", a->server,
                  "Server to ask, ADDR[:PORT] or dig's @ADDR (default: first nameserver of /etc/resolv.conf, "
                  "port 53)")
      ->type_name("ADDR:PORT");
  cmd->add_flag("--tcp", a->tcp,
                "Use TCP instead of UDP (+tcp; UDP answers with TC set are retried over TCP anyway)");
  cmd->add_flag("--norecurse", a->norecurse,
                "Clear RD (+norecurse): ask the server only for what it knows itself");
  cmd->add_flag("--no-edns", a->no_edns,
                "Send no EDNS OPT record (+noedns; answers are then limited to 512 octets)");
  cmd->add_option("--bufsize", a->bufsize, "EDNS UDP payload size to advertise (+bufsize=N)")
      ->check(CLI::Range(512, 65535))
      ->capture_default_str();
  cmd->add_option("--timeout", a->timeout, "Seconds to wait for each answer (+time=N)")
      ->capture_default_str();
  cmd->add_option("--tries", a->tries, "UDP tries per server (+tries=N)")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  cmd->add_flag("--trace", a->trace,
                "Resolve iteratively from the root hints (+trace), printing each server asked and each "
                "referral");
  cmd->add_option("--root-hints", a->root_hints,
                  std::string("Root hints file (named.root format) for --trace (default ") +
                      dns::resolver::kSystemRootHints + ")")
      ->type_name("FILE");
  cmd->add_option("--query-port", a->query_port, "Port every server is asked on during --trace (or -p)")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cmd->footer(
      "Arguments: NAME [TYPE] [CLASS] …, in dig's order or endhost's; several names are asked in turn.\n"
      "dig's words: @ADDR, -p PORT, -x ADDR, -t TYPE, -c CLASS, +short, +trace, +[no]recurse, +tcp,\n"
      "+noall +answer (and +[no]question, authority, additional, comments, stats, cmd), +time=N, +tries=N.\n"
      "Examples:\n"
      "  endhost dns query www.networkutopia.com --server 127.0.0.1:5300\n"
      "  endhost dns query @127.0.0.1 -p 5300 MX networkutopia.com +short\n"
      "  endhost dns query @127.0.0.1 -p 5300 +noall +answer www.networkutopia.com networkutopia.com NS\n"
      "  endhost dns query -x 127.0.0.1 @127.0.0.1 -p 5300\n"
      "  endhost dns query www.networkutopia.com --trace --root-hints examples/zones/root.hints");
  cmd->callback([a, cmd, &run] {
    a->words = cmd->remaining();
    run = [a] { return query(*a); };
  });
}

}  // namespace

void add_dns_commands(CLI::App& root, RunFn& run) {
  auto& dns = service_command(root, "dns");
  add_query(dns, run);
}

}  // namespace endhost::cli
