#include "lab/lab.hpp"
#include "core/durable_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/binder.hpp"
#include "core/privileges.hpp"
#include "core/service_host.hpp"
#include "core/tls_server_context.hpp"
#include "core/transcript.hpp"
#include "dns/client/server_name_resolver.hpp"
#include "lab/config_toml.hpp"
#include "lab/dashboard/dashboard_host.hpp"
#include "lab/default_config.hpp"
#include "lab/lab_log.hpp"
#include "lab/lab_map.hpp"
#include "lab/network/emulated_topology.hpp"
#include "lab/network/lab_network.hpp"
#include "lab/network/link_pump.hpp"
#include "lab/network/link_switch.hpp"
#include "lab/network/network_probe.hpp"
#include "lab/port_switch.hpp"
#include "lab/recipe.hpp"
#include "lab/site_files.hpp"
#include "lab/state_dir.hpp"
#include "lab/topology_plan.hpp"
#include "lab/transcript_rings.hpp"
#include "lab/unit.hpp"
#include "lab/zone_plan.hpp"
#include "services/builtin_services.hpp"
#include "tls/certificates.hpp"

namespace endhost::lab {

namespace {

// --trace in the lab: lines go to the rings (for the dashboard) and to stdout.
class TeeTranscriptSink final : public core::TranscriptSink {
 public:
  TeeTranscriptSink(core::TranscriptSink& a, core::TranscriptSink* b) : a_(a), b_(b) {}
  void record(const core::TranscriptEntry& e) override {
    a_.record(e);
    if (b_) b_->record(e);
  }

 private:
  core::TranscriptSink& a_;
  core::TranscriptSink* b_;
};

}  // namespace

struct Lab::Impl {
  Impl(StateDir state_dir, core::Logger& logger) : state(std::move(state_dir)), log(logger) {}

  StateDir state;  // first member: destroyed last, after every service let go of its files
  core::Logger& log;
  LabOptions options;
  LabConfig config;
  AddressPlan plan;
  TopologyPlan topology;
  ZonePlan zones;
  LabFiles files;
  MapInputs map_inputs;
  std::string map;

  std::unique_ptr<TranscriptRings> ring;
  std::unique_ptr<core::StreamTranscriptSink> stdout_sink;
  std::unique_ptr<TeeTranscriptSink> tee;

  core::ServiceRegistry services = services::builtin_services();
  // Per lab host; before the host, so the services' counters into them are gone first.
  std::map<std::string, std::unique_ptr<core::MetricsRegistry>> registries;
  // With emulated links: every host's namespace and TUN device (network/lab_network.hpp). Before `host`, so
  // their names are removed once every service has closed its sockets in them.
  std::unique_ptr<LabNetwork> network;
  std::unique_ptr<core::ServiceHost> host;  // before the units: it owns the services they refer to
  LinkPump* pump = nullptr;                 // the links (owned by `host`); null on loopback
  // How the services dial names: through the lab's resolver, never the system's (which knows nothing of the
  // lab's names). Null when the lab runs no resolver.
  std::shared_ptr<const core::NameResolver> resolver;
  std::optional<asio::ip::udp::endpoint> resolver_endpoint;
  struct Running {
    const PlannedHost* host;
    const PlannedService* service;
    std::unique_ptr<Unit> unit;
  };
  std::vector<Running> units;
  // The switches of switchable services (the mail hosts' SMTP ports), by host name: PortSwitches (owned by
  // `host`) on loopback, LinkSwitches (below) on emulated links.
  std::map<std::string, ServerSwitch*> switches;
  std::vector<std::unique_ptr<LinkSwitch>> link_switches;  // after `host`: gone before the pump they use
  // This lab's pointer for `endhost lab experiment` (per net), claimed before anything binds; released last.
  NetClaim claim;
  std::uint16_t lowest_port = 0;  // of every listener bound, for the privilege drop

  void bound(const core::Binder& binder) {
    const std::uint16_t p = binder.lowest_port();
    if (p != 0 && (lowest_port == 0 || p < lowest_port)) lowest_port = p;
  }
  Expected<void, std::string> drop_privileges();

  Expected<void, std::string> write_files();
  Expected<void, std::string> make_certificates();
  // Each host's certificate from the lab's CA (make_certificates), for services whose recipe asks for one.
  std::map<std::string, tls::LeafFiles> certificates;
  Expected<void, std::string> build_network();
  Expected<void, std::string> build_links();
  Expected<void, std::string> build_units();
  Expected<core::Service*, std::string> build_service(const PlannedHost& h, const PlannedService& s,
                                                      core::TranscriptSink* sink);
  Expected<void, std::string> build_dashboard();
};

Expected<LabConfig, std::string> load_lab_config(const LabOptions& o) {
  const core::ServiceRegistry services = services::builtin_services();
  auto config = o.config_file.empty() ? parse_config(default_config_toml(), "(embedded default)", services)
                                      : load_config_file(o.config_file, services);
  if (!config) return config;
  if (o.net) config->lab.net = *o.net;
  if (o.ports) config->lab.ports = *o.ports;
  if (o.network) config->lab.network = *o.network;
  if (o.port_base) config->lab.port_base = *o.port_base;
  if (o.threads) config->lab.threads = *o.threads;
  if (auto ok = validate(*config); !ok) return Unexpected(ok.error());
  return config;
}

// The records recipes add to the lab's zones (a mail domain's DKIM key and SPF policy), appended to the
// configuration's [[zone]] records before the zones are planned, so plan_zones checks them as it checks
// those.
Expected<void, std::string> add_recipe_zone_records(LabConfig& config, const std::string& state_dir) {
  std::vector<std::string> origins;
  for (const auto& h : config.hosts) {
    for (const auto& z : h.zones()) {
      if (std::find(origins.begin(), origins.end(), z) == origins.end()) origins.push_back(z);
    }
  }
  std::vector<ZoneRecord> records;
  for (const auto& h : config.hosts) {
    for (const auto& s : h.services) {
      const LabRecipe* recipe = find_recipe(s.name);
      if (!recipe || !recipe->zone_records) continue;
      auto more = recipe->zone_records(ZoneRecordContext{config, h, origins, state_dir}, s);
      if (!more) return Unexpected(fmt::format("host {}, {}: {}", h.name, s.name, more.error()));
      records.insert(records.end(), more->begin(), more->end());
    }
  }
  for (auto& r : records) {
    auto it = std::find_if(config.zones.begin(), config.zones.end(),
                           [&](const ZoneExtra& z) { return normalize_name(z.origin) == r.origin; });
    if (it == config.zones.end()) {
      config.zones.push_back(ZoneExtra{r.origin, {}});
      it = std::prev(config.zones.end());
    }
    it->records.push_back(std::move(r.record));
  }
  return {};
}

Expected<void, std::string> Lab::Impl::write_files() {
  files.state_dir = state.path();
  files.zones_dir = state.file("zones");
  files.sites_dir = state.file("sites");
  files.zones = &zones;
  files.plan = &plan;
  if (auto ok = make_directories(files.zones_dir); !ok) return ok;
  for (const auto& z : zones.zones) {
    if (auto ok = core::write_file_durably(files.zones_dir + "/" + z.file_name, z.text); !ok) return ok;
  }
  if (!zones.root_hints.empty()) {
    if (auto ok = core::write_file_durably(files.zones_dir + "/root.hints", zones.root_hints); !ok) return ok;
    map_inputs.root_hints = files.zones_dir + "/root.hints";
  }
  std::set<std::string> served;
  for (const auto& h : config.hosts) {
    if (!h.site().empty()) served.insert(h.site());
  }
  for (const auto& site : config.sites) {
    if (!served.count(site.name)) continue;
    auto written = write_site(site, files.sites_dir + "/" + site.name);
    if (!written) return Unexpected(written.error());
    map_inputs.sites[site.name] = std::move(*written);
  }
  return {};
}

// The lab's private CA (STATE/tls, kept and reused with --state), and a certificate for each host's name and
// address signed by it (STATE/tls/hosts/NAME.pem), so a TLS service or client in the lab needs no public CA.
Expected<void, std::string> Lab::Impl::make_certificates() {
  const std::string dir = state.file("tls");
  bool made = false;
  tls::CaOptions ca;
  ca.common_name = "endhost lab CA";
  auto ca_files = tls::open_or_make_ca(dir, ca, made);
  if (!ca_files) return Unexpected("the lab's CA: " + ca_files.error());
  map_inputs.ca_cert = ca_files->cert;
  for (const PlannedHost& h : plan.hosts) {
    tls::LeafOptions leaf;
    for (const std::string& n : {h.name, h.address}) {
      auto name = tls::parse_subject_name(n);
      if (name) leaf.names.push_back(*name);
    }
    if (leaf.names.empty()) continue;
    auto made_leaf = tls::make_leaf(dir, leaf, dir + "/hosts");
    if (!made_leaf) return Unexpected("a certificate for " + h.name + ": " + made_leaf.error());
    certificates[h.name] = std::move(*made_leaf);
  }
  return {};
}

// One service of one host, through the registry as `endhost <service> serve` builds it: the table's keys
// over the service's lab defaults, what its recipe adds, then the factory with the host's address and port.
Expected<core::Service*, std::string> Lab::Impl::build_service(const PlannedHost& h, const PlannedService& s,
                                                               core::TranscriptSink* sink) {
  const core::ServiceDescriptor* d = services.find(s.kind);
  const HostService* table = h.config->find(s.kind);
  if (!d || !table) return Unexpected(std::string("no such service in this build"));
  const LabRecipe* recipe = find_recipe(s.kind);
  // A key of the table replaces the default of the same name; an array's values all stay, in order.
  core::Settings settings = d->lab_defaults;
  for (const auto& [key, value] : table->settings.items()) {
    if (d->lab_defaults.has(key)) settings.erase(key);
  }
  for (const auto& [key, value] : table->settings.items()) {
    const bool lab_key =
        recipe && std::find(recipe->keys.begin(), recipe->keys.end(), key) != recipe->keys.end();
    if (!lab_key) settings.add(key, value);
  }
  if (recipe && recipe->prepare) {
    if (auto ok = recipe->prepare(RecipeContext{files, config, h, s}, *table, settings); !ok)
      return Unexpected(ok.error());
  }
  auto& registry = registries[h.name];
  const std::string key = h.name + "/" + s.kind;
  core::ServiceEnv env{host->loops(), host->log(), *registry, core::Transcript(sink, key)};
  const auto address = asio::ip::make_address(h.address);
  const bool switchable = recipe && recipe->switchable && s.tcp;
  // On loopback a switchable service listens behind its switch (port_switch.hpp), which takes the planned
  // port; on emulated links it listens on the planned port itself and the links close it (link_switch.hpp),
  // since a switch could not dial from the client's address there.
  const bool switched = switchable && !pump;
  if (s.tcp) env.tcp_listen = {{address, switched ? switched_port(s.port) : s.port}};
  if (s.udp) env.udp_listen = {{address, s.port}};
  env.resolver = resolver;
  if (recipe && recipe->lab_certificate) {
    if (auto it = certificates.find(h.name); it != certificates.end()) {
      core::TlsServerConfig tls;
      tls.certificates.push_back({it->second.cert, it->second.key});
      auto loaded = core::TlsServerContext::load(std::move(tls));
      if (!loaded) return Unexpected("its certificate from the lab's CA: " + loaded.error());
      env.tls = std::move(*loaded);
    }
  }
  env.transcripts = sink;
  env.host = h.name;
  // With emulated links every socket of the service is made in the host's namespace, the queries for the
  // names it dials too.
  const core::SocketPlace place = network ? network->place(h.name) : core::SocketPlace{};
  env.socket_place = place;
  if (network && resolver_endpoint)
    env.resolver = std::make_shared<dns::client::ServerNameResolver>(*resolver_endpoint, place);
  // Hosts send from their own address, so that the servers' logs and transcripts show who talks to whom
  // (the root server sees the resolver's 127.20.0.13, not 127.0.0.1).
  env.source_address = address;
  auto made = d->make(settings, env);
  if (!made) return Unexpected(made.error().message);
  core::Service& service = host->adopt(std::move(*made));
  core::Binder binder(host->log(), s.kind, h.name, place);
  if (auto ok = service.bind(binder); !ok) return Unexpected(ok.error());
  bound(binder);
  if (switched) {
    auto& sw =
        host->adopt(std::make_unique<PortSwitch>(host->loops()[0], asio::ip::tcp::endpoint(address, s.port),
                                                 asio::ip::tcp::endpoint(address, switched_port(s.port)),
                                                 core::Transcript(sink, h.name + "/switch"), place));
    core::Binder switch_binder(host->log(), "switch", h.name, place);
    if (auto ok = sw.bind(switch_binder); !ok) return Unexpected("its switch: " + ok.error());
    bound(switch_binder);
    sw.start();
    switches[h.name] = &sw;
  } else if (switchable && address.is_v4()) {
    link_switches.push_back(std::make_unique<LinkSwitch>(*pump, address.to_v4(), s.port,
                                                         core::Transcript(sink, h.name + "/switch")));
    switches[h.name] = link_switches.back().get();
  }
  return &service;
}

// Emulated links, the hosts' side: a namespace with a TUN device per host, before any service binds.
Expected<void, std::string> Lab::Impl::build_network() {
  std::vector<NetworkHost> hosts;
  for (const PlannedHost& h : plan.hosts) hosts.push_back({h.name, h.address});
  const PlannedHost* r = plan.host_with("resolver");
  const auto subnet = parse_subnet(plan.subnet);
  auto made = LabNetwork::create(hosts, r ? r->address : std::string(), r ? r->find("resolver")->port : 0,
                                 subnet ? subnet->prefix : 15, log);
  if (!made) return Unexpected("emulated links: " + made.error());
  network = std::move(*made);
  for (const auto& h : network->hosts()) map_inputs.namespaces[h.name] = h.netns->name();
  // The dashboard also listens in the root namespace, on the loopback address it would have without
  // emulated links, so that this machine's browser reaches it as before.
  if (const PlannedHost* d = plan.host_with(kDashboard)) {
    auto loopback = plan_addresses(config, {plan.mode, plan.reason}, services, {});
    if (loopback) {
      if (const PlannedHost* ld = loopback->find_host(d->name)) map_inputs.dashboard_loopback = ld->address;
    }
    if (map_inputs.dashboard_loopback.empty()) map_inputs.dashboard_loopback = "127.0.0.1";
  }
  return {};
}

// Emulated links, between the hosts: the emulator with the topology plan's links, and the pump that reads
// every host's TUN device, on the last loop (loop 0 also runs the dashboard's sampler and the drain).
Expected<void, std::string> Lab::Impl::build_links() {
  auto topology_net = emulated_topology(topology, state.path());
  if (!topology_net) return Unexpected("emulated links: " + topology_net.error());
  std::vector<PumpPort> ports;
  for (const auto& h : network->hosts()) {
    const auto node = topology_net->find_node(h.name);
    if (!node) return Unexpected("emulated links: host " + h.name + " is not in the topology");
    ports.push_back({*node, h.tun.fd(), h.name});
  }
  // A fixed seed: the same losses and jitter every run of the same lab.
  constexpr std::uint64_t kSeed = 0x656e64686f7374;  // "endhost"
  auto& loop = host->loops()[host->loops().size() - 1];
  auto& links = host->adopt(std::make_unique<LinkPump>(
      loop, log, netem::Emulator(std::move(*topology_net), kSeed), std::move(ports)));
  core::Binder binder(log, "links");
  if (auto ok = links.bind(binder); !ok) return Unexpected(ok.error());
  links.start();
  pump = &links;
  log.info(
      "links",
      {{"hosts", network->hosts().size()}, {"links", topology.links.size()}, {"lab_id", network->lab_id()}});
  return {};
}

Expected<void, std::string> Lab::Impl::build_units() {
  core::TranscriptSink* sink = tee ? static_cast<core::TranscriptSink*>(tee.get()) : ring.get();
  if (const PlannedHost* r = plan.host_with("resolver")) {
    resolver_endpoint =
        asio::ip::udp::endpoint(asio::ip::make_address(r->address), r->find("resolver")->port);
    resolver = std::make_shared<dns::client::ServerNameResolver>(*resolver_endpoint);
  }
  for (const PlannedHost& h : plan.hosts) {
    auto& registry = registries[h.name];
    registry = std::make_unique<core::MetricsRegistry>();
    for (const PlannedService& s : h.services) {
      if (s.kind == kDashboard) continue;  // built last: it shows all the others
      auto service = build_service(h, s, sink);
      if (!service)
        return Unexpected(fmt::format("host {} ({}), {}: {}", h.name, h.address, s.kind, service.error()));
      units.push_back({&h, &s, std::make_unique<Unit>(**service)});
    }
  }
  return {};
}

Expected<void, std::string> Lab::Impl::build_dashboard() {
  const PlannedHost* dash = plan.host_with(kDashboard);
  if (!dash) return {};
  const PlannedService& service = *dash->find(kDashboard);
  DashboardConfig dc;
  std::map<std::string, Unit*> running;
  for (const auto& u : units) running[u.host->name + "/" + u.service->kind] = u.unit.get();
  for (const PlannedHost& h : plan.hosts) {
    for (const PlannedService& s : h.services) {
      DashboardEntry e;
      e.key = h.name + "/" + s.kind;
      e.host = h.name;
      e.kind = s.kind;
      e.address = h.address;
      e.port = s.port;
      e.protocols = s.tcp && s.udp ? "udp+tcp" : (s.tcp ? "tcp" : "udp");
      e.note = s.note;
      if (auto it = running.find(e.key); it != running.end()) e.unit = it->second;
      dc.units.push_back(std::move(e));
    }
  }
  dc.self_key = dash->name + "/" + kDashboard;
  dc.ring = ring.get();
  dc.lab_json = lab_json(map_inputs);
  dc.commands = try_commands(map_inputs);
  dc.example_url = example_url(map_inputs);
  dc.source = asio::ip::make_address(dash->address);
  auto endpoint_of = [&](const char* kind) -> std::optional<std::pair<std::string, std::uint16_t>> {
    const PlannedHost* h = plan.host_with(kind);
    if (!h || !running.count(h->name + "/" + kind)) return std::nullopt;
    return std::make_pair(h->address, h->find(kind)->port);
  };
  if (auto e = endpoint_of("resolver"))
    dc.resolver = asio::ip::udp::endpoint(asio::ip::make_address(e->first), e->second);
  if (auto e = endpoint_of("proxy"))
    dc.cache = asio::ip::tcp::endpoint(asio::ip::make_address(e->first), e->second);
  if (auto e = endpoint_of("ping"))
    dc.ping = asio::ip::udp::endpoint(asio::ip::make_address(e->first), e->second);
  for (const PlannedHost& h : plan.hosts) {
    if (!h.find("mail") || !running.count(h.name + "/mail")) continue;
    MailView view;
    view.host = h.name;
    view.mail_dir = files.state_dir + "/mail/" + h.name;
    if (auto it = switches.find(h.name); it != switches.end()) view.power = it->second;
    dc.mail.push_back(std::move(view));
  }

  dc.links = pump;
  if (network) dc.place = network->place(dash->name);
  const asio::ip::tcp::endpoint at(asio::ip::make_address(dash->address), service.port);
  // Emulated: the browser of this machine reaches the dashboard on loopback in the root namespace, the lab's
  // hosts (the experiments, inside the user host) at its lab address inside its own namespace.
  std::optional<asio::ip::tcp::endpoint> inside;
  if (network) inside = at;
  const asio::ip::tcp::endpoint browser =
      network ? asio::ip::tcp::endpoint(asio::ip::make_address(map_inputs.dashboard_loopback), service.port)
              : at;
  auto& svc = host->adopt(std::make_unique<DashboardHost>(*host, std::move(dc), browser));
  core::Binder binder(host->log(), kDashboard, dash->name);
  if (auto ok = svc.bind(binder); !ok) {
    return Unexpected(
        fmt::format("host {} ({}), dashboard: {}", dash->name, browser.address().to_string(), ok.error()));
  }
  bound(binder);
  if (inside) {
    core::Binder in_host(host->log(), kDashboard, dash->name, network->place(dash->name));
    if (auto ok = svc.bind_more(in_host, *inside); !ok) {
      return Unexpected(fmt::format("host {} ({}), dashboard: {}", dash->name, dash->address, ok.error()));
    }
    bound(in_host);
  }
  auto unit = std::make_unique<Unit>(svc);
  svc.set_self(unit.get());
  units.push_back({dash, &service, std::move(unit)});
  return {};
}

// As every `endhost … serve` does (privileges.hpp): once every listener is bound and before any request is
// read, a lab started as root on the real ports becomes `nobody` (or --user), giving it the state directory.
Expected<void, std::string> Lab::Impl::drop_privileges() {
  // Emulated links keep root: the loops enter the hosts' namespaces to make client sockets (setns needs
  // CAP_SYS_ADMIN), and the namespaces are removed at exit.
  if (network) {
    if (!options.user.empty())
      return Unexpected(
          std::string("--user cannot be used with emulated links (the lab stays root to enter and "
                      "remove its namespaces); set network = \"loopback\" to drop privileges"));
    return {};
  }
  const std::string user = core::user_to_become(options.user, ::geteuid() == 0, lowest_port);
  if (user.empty()) return {};
  // The pointer `endhost lab experiment` follows is the starting user's (its name has that uid, and it is
  // trusted only when that user owns it): it was claimed at the start, while the lab still was that user.
  const std::vector<std::string> writable{state.path()};
  if (auto ok = core::drop_privileges(user, writable); !ok) return ok;
  if (::access(state.path().c_str(), R_OK | W_OK | X_OK) != 0) {
    return Unexpected(
        fmt::format("the state directory {} is out of reach of user {} (a parent directory is "
                    "closed to it): give --state a directory under /tmp, or --user",
                    state.path(), user));
  }
  log.info("privileges dropped", {{"user", user},
                                  {"uid", static_cast<std::int64_t>(::getuid())},
                                  {"gid", static_cast<std::int64_t>(::getgid())}});
  return {};
}

Expected<std::unique_ptr<Lab>, std::string> Lab::create(const LabOptions& options, core::Logger& log) {
  auto config = load_lab_config(options);
  if (!config) return Unexpected(config.error());
  auto state = StateDir::open(options.state_dir, options.keep);
  if (!state) return Unexpected(state.error());
  return create(options, std::move(*config), std::move(*state), log);
}

Expected<std::unique_ptr<Lab>, std::string> Lab::create(const LabOptions& options, LabConfig config,
                                                        StateDir state, core::Logger& log) {
  auto impl = std::make_unique<Impl>(std::move(state), log);
  impl->options = options;
  impl->config = std::move(config);
  impl->map_inputs.log_file = options.log_file;
  // Before anything binds (even the trial bind of the real ports): a second lab on a net in use refuses
  // here, with the first one's pid and the next free net, and leaves the first one's pointer alone.
  if (options.publish_current) {
    std::string warning;
    auto claim = NetClaim::claim(impl->config.lab.net, impl->state.path(), warning);
    if (!claim) return Unexpected(claim.error());
    impl->claim = std::move(*claim);
    if (!warning.empty()) {
      log.warn("cannot leave the pointer `endhost lab experiment` looks for (give experiments --state)",
               {{"error", warning}});
    }
  }
  PortChoice ports = choose_port_mode(impl->config.lab.ports,
                                      first_host_address(impl->config, impl->services), probe_real_ports);
  // Emulating the links needs each host's namespace and TUN device (CAP_NET_ADMIN, CAP_SYS_ADMIN,
  // /dev/net/tun): probed here, said once on the map and in lab.json.
  const EmulationMeans means = impl->config.lab.network == NetworkMode::loopback
                                   ? EmulationMeans{false, ""}
                                   : emulation_means(probe_network());
  auto network = choose_network(impl->config.lab.network, means.possible, means.why);
  if (!network) return Unexpected(network.error());
  if (network->mode == NetworkMode::loopback && impl->config.lab.network == NetworkMode::automatic)
    network->reason += " (RTTs are loopback's, microseconds; run `sudo endhost lab` for emulated links)";
  auto plan = plan_addresses(impl->config, ports, impl->services, *network);
  if (!plan) return Unexpected(plan.error());
  impl->plan = std::move(*plan);
  impl->topology = plan_topology(impl->config, impl->plan);
  if (auto ok = add_recipe_zone_records(impl->config, impl->state.path()); !ok) return Unexpected(ok.error());
  auto zones = plan_zones(impl->config, impl->plan);
  if (!zones) return Unexpected(zones.error());
  impl->zones = std::move(*zones);
  if (auto ok = impl->write_files(); !ok) return Unexpected(ok.error());
  if (auto ok = impl->make_certificates(); !ok) return Unexpected(ok.error());

  impl->ring = std::make_unique<TranscriptRings>(impl->config.lab.transcript_lines);
  if (options.trace) {
    impl->stdout_sink = std::make_unique<core::StreamTranscriptSink>(stdout);
    impl->tee = std::make_unique<TeeTranscriptSink>(*impl->ring, impl->stdout_sink.get());
  }
  impl->host = std::make_unique<core::ServiceHost>(
      core::ServiceHostOptions{impl->config.lab.threads, std::chrono::seconds(5), options.handle_signals},
      log);
  if (impl->plan.network.mode == NetworkMode::emulated) {
    if (auto ok = impl->build_network(); !ok) return Unexpected(ok.error());
    if (auto ok = impl->build_links(); !ok) return Unexpected(ok.error());
  }
  if (auto ok = impl->build_units(); !ok) return Unexpected(ok.error());

  impl->map_inputs.config = &impl->config;
  impl->map_inputs.plan = &impl->plan;
  impl->map_inputs.zones = &impl->zones;
  impl->map_inputs.topology = &impl->topology;
  impl->map_inputs.net = impl->config.lab.net;
  impl->map_inputs.state_dir = impl->state.path();
  impl->map_inputs.state_removed_on_exit = !impl->state.kept();
  impl->map_inputs.pid = ::getpid();
  if (auto ok = impl->build_dashboard(); !ok) return Unexpected(ok.error());
  impl->map = format_map(impl->map_inputs);
  if (auto ok = impl->drop_privileges(); !ok) return Unexpected(ok.error());
  return std::unique_ptr<Lab>(new Lab(std::move(impl)));
}

Lab::Lab(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Lab::~Lab() = default;

const std::string& Lab::map() const {
  return impl_->map;
}

const std::string& Lab::state_dir() const {
  return impl_->state.path();
}

int Lab::run() {
  Impl& d = *impl_;
  for (auto& u : d.units) {
    // One service that cannot start does not take the others down; the dashboard shows it as failed.
    try {
      u.unit->start();
      u.unit->set_state(UnitState::listening);
    } catch (const std::exception& e) {
      u.unit->set_state(UnitState::failed);
      d.log.error("service failed to start",
                  {{"host", u.host->name}, {"service", u.service->kind}, {"error", e.what()}});
    }
  }
  // Shutdown closes every listener first (ServiceHost drains them all); from then on the units are draining.
  d.host->on_shutdown([&d] {
    for (auto& u : d.units) {
      if (u.unit->state() == UnitState::listening) u.unit->set_state(UnitState::draining);
    }
  });
  // lab.json and "lab ready" come from the first loop once it runs: by then every service
  // accepts and SIGINT/SIGTERM are handled, so whoever reacts to them can connect, or stop the lab cleanly.
  asio::post(d.host->loops()[0].io(), [&d] {
    if (auto ok = core::write_file_durably(d.state.file("lab.json"), lab_json(d.map_inputs)); !ok) {
      d.log.error("cannot write lab.json", {{"error", ok.error()}});
    }
    d.log.info("lab ready", {{"state", d.state.path()},
                             {"hosts", d.plan.hosts.size()},
                             {"ports", d.plan.mode == PortMode::real ? "real" : "high"}});
  });
  return d.host->run();
}

void Lab::request_shutdown() {
  impl_->host->request_shutdown();
}

int run_lab(const LabOptions& options, const LabLogOptions& logging, std::ostream& out) {
  // The configuration first: a mistake in it creates no --state directory.
  auto config = load_lab_config(options);
  if (!config) throw std::runtime_error(config.error());
  auto state = StateDir::open(options.state_dir, options.keep);
  if (!state) throw std::runtime_error(state.error());
  // The map is what a user sees: the log (a line per listener, about forty) goes to STATE/lab.log, and to
  // the terminal only after the map (everything with --verbose or JSON, which programs read; else warnings).
  LabOptions o = options;
  o.log_file = state->file("lab.log");
  auto file = LabLogStream::open(o.log_file);
  if (!file) throw std::runtime_error(file.error());
  core::Logger log(logging.format, logging.level, (*file)->stream());
  // JSON lines are for programs, which read them from stderr as from every other command.
  const bool verbose = logging.verbose || logging.format == core::LogFormat::Json;
  auto lab = Lab::create(o, std::move(*config), std::move(*state), log);  // destroyed before `log`
  if (!lab) {
    (*file)->show_on(stderr, verbose, true);
    throw std::runtime_error(lab.error());
  }
  out << (*lab)->map() << std::flush;
  (*file)->show_on(stderr, verbose, true);
  return (*lab)->run();
}

}  // namespace endhost::lab
