#include "lab/lab_map.hpp"

#include "lab/recipes/recipes.hpp"
#include "lab/topology_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <utility>
#include <vector>

namespace endhost::lab {

namespace json = boost::json;

namespace {

std::string protocols(const PlannedService& s) {
  if (s.tcp && s.udp) return "udp+tcp";
  return s.tcp ? "tcp" : "udp";
}

std::string host_port(const std::string& address, std::uint16_t port) {
  return fmt::format("{}:{}", address, port);
}

json::object endpoint_json(const PlannedHost& h, const PlannedService& s) {
  return json::object{{"host", h.name}, {"address", h.address}, {"port", s.port}};
}

const std::string* mail_setting(const PlannedHost& h, const char* key) {
  const HostService* table = h.config ? h.config->find("mail") : nullptr;
  return table ? table->settings.get(key) : nullptr;
}

// The mail hosts with a user: where that user's clients connect (SMTP, submission, POP3, IMAP, webmail on
// the host's own address) and how to read the mail from a shell. The curl lines are in try_commands().
std::string mail_section(const MapInputs& in) {
  if (!in.config) return {};
  std::string out;
  const std::vector<std::string> origins = in.zones ? zone_origins(*in.zones) : std::vector<std::string>{};
  for (const auto& h : in.plan->hosts) {
    const PlannedService* smtp = h.find("mail");
    const std::string* login = mail_setting(h, "login");
    const std::string* password = mail_setting(h, "password");
    if (!smtp || !login || !password) continue;
    const MailAccessPorts p = mail_access_ports(h, *in.plan, *in.config);
    const auto domains = lab_mail_domains(*h.config, origins);
    out += fmt::format("  {}  user {}, password {}{}\n", h.name, *login, *password,
                       domains.empty() ? std::string() : "  (" + *login + "@" + domains.front() + ")");
    out += fmt::format("    SMTP {}   submission {} (AUTH)\n", host_port(h.address, smtp->port),
                       host_port(h.address, p.submission));
    out += fmt::format("    POP3 {}   IMAP {}", host_port(h.address, p.pop3), host_port(h.address, p.imap));
    if (p.webmail) out += fmt::format("   webmail http://{}/", host_port(h.address, p.webmail));
    out += "\n";
    out += fmt::format(
        "    python3 -c \"import poplib; p = poplib.POP3('{}', {}); p.user('{}'); p.pass_('{}'); "
        "print(p.stat()); p.quit()\"\n",
        h.address, p.pop3, *login, *password);
    out += fmt::format(
        "    python3 -c \"import imaplib; m = imaplib.IMAP4('{}', {}); m.login('{}', '{}'); "
        "print(m.select('INBOX')); m.logout()\"\n",
        h.address, p.imap, *login, *password);
  }
  return out.empty() ? out : "\nRead mail (POP3, IMAP and the webmail on each mail host's address):\n" + out;
}

// The web hosts' HTTPS ports and how each client trusts the lab's CA: curl and endhost fetch with --cacert
// (and --resolve, the lab's names being unknown to the system's resolver), Chromium through its NSS database
// or by the CA key's hash.
std::string https_section(const MapInputs& in) {
  if (!in.config || in.ca_cert.empty()) return {};
  std::vector<std::pair<std::string, std::string>> rows;  // URL, address:port
  std::string example;
  std::size_t width = 0;
  for (const auto& h : in.plan->hosts) {
    const std::uint16_t tls = web_tls_port(h, *in.plan, *in.config);
    if (tls == 0) continue;
    std::string url =
        tls == kHttpsPort ? fmt::format("https://{}/", h.name) : fmt::format("https://{}:{}/", h.name, tls);
    if (example.empty()) example = fmt::format("--resolve {}:{}:{} {}", h.name, tls, h.address, url);
    width = std::max(width, url.size());
    rows.emplace_back(std::move(url), host_port(h.address, tls));
  }
  if (rows.empty()) return {};
  std::string out;
  for (const auto& [url, where] : rows) out += fmt::format("  {:<{}}  {}\n", url, width, where);
  const std::string& ca = in.ca_cert;
  std::string s =
      "\nHTTPS on the web hosts (h2 and http/1.1 by ALPN; certificates from the lab's CA):\n" + out;
  s += fmt::format("  curl --http2 --cacert {} {}\n", ca, example);
  s += fmt::format("  endhost fetch --http2 --cacert {} {}\n", ca, example);
  s += fmt::format("  Chromium: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n endhost-lab -i {}\n", ca);
  s += fmt::format(
      "    or --ignore-certificate-errors-spki-list=$(openssl x509 -in {} -pubkey -noout | openssl pkey "
      "-pubin -outform der | openssl dgst -sha256 -binary | base64)\n",
      ca);
  s += "    with --host-resolver-rules='MAP NAME ADDRESS' for each lab name (or the lab's resolver) and a\n"
       "    --user-data-dir (Chromium ignores the SPKI list without one)\n";
  return s;
}

}  // namespace

std::string format_map(const MapInputs& in) {
  const AddressPlan& plan = *in.plan;
  std::string out = fmt::format("endhost lab: a small Internet on {}.0.0/16\n", in.net);
  out += fmt::format("ports: {} ({})\n", plan.mode == PortMode::real ? "real" : "high", plan.reason);
  // Said once, here and in lab.json: whether the RTTs the experiments measure are the links' or loopback's.
  out += fmt::format("network: {}{}\n", to_string(plan.network.mode),
                     plan.network.reason.empty() ? std::string() : " (" + plan.network.reason + ")");
  out += fmt::format("state: {}{}\n", in.state_dir,
                     in.state_removed_on_exit ? " (removed on exit; --keep keeps it)" : "");
  if (!in.ca_cert.empty()) out += fmt::format("CA:    {} (trust it with --cacert)\n", in.ca_cert);
  if (!in.log_file.empty()) out += fmt::format("log:   {} (--verbose prints it here)\n", in.log_file);
  out += "\n";
  std::size_t width = 4;
  for (const auto& h : plan.hosts) width = std::max(width, h.name.size());
  out += fmt::format("  {:<{}}  {:<15}  {}\n", "host", width, "address", "services");
  for (const auto& h : plan.hosts) {
    std::string first = fmt::format("  {:<{}}  {:<15}  ", h.name, width, h.address);
    if (h.services.empty()) {
      out += first + "(no services yet)\n";
      continue;
    }
    bool line_one = true;
    for (const auto& s : h.services) {
      std::string svc = fmt::format("{} {}/{}", s.kind, protocols(s), s.port);
      if (s.kind == "web" && in.config) {
        if (const std::uint16_t tls = web_tls_port(h, plan, *in.config); tls != 0)
          svc += fmt::format(" https/{}", tls);
      }
      if (!s.note.empty()) svc += "  " + s.note;
      out += (line_one ? first : std::string(first.size(), ' ')) + svc + "\n";
      line_one = false;
    }
  }

  if (in.topology) out += format_links(*in.topology);

  const PlannedHost* resolver = plan.host_with("resolver");
  const PlannedHost* cache = plan.host_with("proxy");
  const PlannedHost* dash = plan.host_with(kDashboard);
  out += "\nConfigure:\n";
  if (resolver) {
    const std::uint16_t port = resolver->find("resolver")->port;
    out += fmt::format("  local DNS server (resolver)  {} port {}\n", resolver->address, port);
    // resolv.conf(5) has no port: on the high ports the line serves tools that take one (dig -p).
    out += fmt::format("  resolv.conf                  nameserver {}{}\n", resolver->address,
                       port == kDnsPort ? std::string() : fmt::format("   (port {}: dig -p {})", port, port));
  }
  if (!in.root_hints.empty()) {
    out += fmt::format("  root hints                   {}\n", in.root_hints);
  }
  if (cache) {
    const std::string proxy = host_port(cache->address, cache->find("proxy")->port);
    out += fmt::format("  Web cache (HTTP proxy)       http://{}/\n", proxy);
    out += fmt::format("  export http_proxy=http://{}/\n", proxy);
  }
  if (dash && !in.dashboard_loopback.empty()) {
    // Emulated: the browser reaches it on loopback; the lab's hosts (and experiments) at its lab address.
    out += fmt::format("  dashboard                    http://{}/   (inside the lab: http://{}/)\n",
                       host_port(in.dashboard_loopback, dash->find(kDashboard)->port),
                       host_port(dash->address, dash->find(kDashboard)->port));
  } else if (dash) {
    out += fmt::format("  dashboard                    http://{}/\n",
                       host_port(dash->address, dash->find(kDashboard)->port));
  }

  out += mail_section(in);
  out += https_section(in);

  out += "\nTry:\n";
  for (const auto& c : try_commands(in)) out += "  " + c + "\n";
  out += "\nPress Ctrl-C to stop.\n";
  return out;
}

std::string example_url(const MapInputs& in) {
  const AddressPlan& plan = *in.plan;
  for (const auto& h : plan.hosts) {
    const PlannedService* s = h.find("web");
    if (!s || !in.config) continue;
    const SiteConfig* site = in.config->find_site(h.config->site());
    std::string path = "/";
    if (site) {
      for (const auto& f : site->files) {
        if (f.gif) {
          path = f.path;
          break;
        }
      }
      if (path == "/" && !site->files.empty()) path = site->files.front().path;
    }
    std::string port = s->port == kHttpPort ? std::string() : fmt::format(":{}", s->port);
    return fmt::format("http://{}{}{}", h.name, port, path);
  }
  return {};
}

std::vector<std::string> try_commands(const MapInputs& in) {
  const AddressPlan& plan = *in.plan;
  std::vector<std::string> out;
  if (const PlannedHost* r = plan.host_with("resolver")) {
    std::string port = fmt::format(" -p {}", r->find("resolver")->port);
    out.push_back(fmt::format("dig @{}{} www.someschool.edu", r->address, port));
    out.push_back(fmt::format("dig @{}{} gaia.cs.umass.edu +norecurse", r->address, port));
  }
  if (const PlannedHost* c = plan.host_with("proxy")) {
    std::string url = example_url(in);
    if (!url.empty()) {
      out.push_back(fmt::format("curl -x http://{} -s -o /dev/null -D - {}",
                                host_port(c->address, c->find("proxy")->port), url));
    }
  }
  for (const auto& h : plan.hosts) {
    if (auto* s = h.find("ping")) {
      out.push_back(fmt::format("endhost ping client {} --count 10", host_port(h.address, s->port)));
    }
    if (auto* s = h.find("ftp")) {
      out.push_back(fmt::format("curl ftp://{}/pub/", host_port(h.address, s->port)));
    }
    if (auto* s = h.find("mail"); s && in.config) {
      const std::string* login = mail_setting(h, "login");
      const std::string* password = mail_setting(h, "password");
      const MailAccessPorts p = mail_access_ports(h, plan, *in.config);
      if (login && password && p.pop3 && p.imap) {
        // RFC 2384's pop3:// URL (a message number) and RFC 5092's imap:// (a mailbox and a UID).
        out.push_back(
            fmt::format("curl -u {}:{} pop3://{}/1", *login, *password, host_port(h.address, p.pop3)));
        out.push_back(fmt::format("curl -u {}:{} 'imap://{}/INBOX;UID=1'", *login, *password,
                                  host_port(h.address, p.imap)));
      }
    }
    if (auto* s = h.find("echo")) {
      out.push_back(fmt::format("endhost echo client --{} {} 'hello lab'", s->tcp ? "tcp" : "udp",
                                host_port(h.address, s->port)));
    }
  }
  // With emulated links the lab's addresses are inside its namespaces: the commands run in the user host.
  if (plan.network.mode == NetworkMode::emulated && in.config) {
    for (auto& c : out) c = fmt::format("endhost lab exec {} -- {}", in.config->lab.user_host, c);
  }
  std::string state = in.state_removed_on_exit ? std::string() : " --state " + in.state_dir;
  out.push_back("endhost lab experiment page-load" + state);
  out.push_back("endhost lab experiment cache" + state);
  out.push_back("endhost lab experiment dns-trace" + state);
  out.push_back("endhost lab experiment hol" + state);
  if (plan.host_with("ping")) out.push_back("endhost lab experiment ping" + state);
  if (plan.host_with("ftp")) out.push_back("endhost lab experiment ftp" + state);
  if (plan.host_with("mail")) {
    out.push_back("endhost lab experiment mail" + state);
    out.push_back("endhost lab experiment mail-access" + state);
  }
  return out;
}

std::string lab_json(const MapInputs& in) {
  const AddressPlan& plan = *in.plan;
  json::object root;
  root["version"] = 1;
  root["pid"] = in.pid;
  root["state"] = in.state_dir;
  root["ca"] = in.ca_cert.empty() ? json::value(nullptr) : json::value(in.ca_cert);
  root["net"] = in.net + ".0.0/16";
  root["ports"] = json::object{{"mode", plan.mode == PortMode::real ? "real" : "high"},
                               {"reason", plan.reason},
                               {"dns", plan.dns_port}};
  auto single = [&](std::string_view kind, const char* name) {
    const PlannedHost* h = plan.host_with(kind);
    root[name] = h ? json::value(endpoint_json(*h, *h->find(kind))) : json::value(nullptr);
  };
  single("resolver", "resolver");
  single("proxy", "cache");
  single(kDashboard, "dashboard");
  // Emulated: "dashboard" is where a browser of this machine reaches it (the root namespace's loopback);
  // its lab address stays in hosts[].services.
  if (const PlannedHost* d = plan.host_with(kDashboard); d && !in.dashboard_loopback.empty()) {
    root["dashboard"] = json::object{
        {"host", d->name}, {"address", in.dashboard_loopback}, {"port", d->find(kDashboard)->port}};
  }
  root["network"] =
      json::object{{"mode", to_string(plan.network.mode)},
                   {"reason", plan.network.reason},
                   {"subnet", plan.subnet},
                   {"user_host", in.config ? json::value(in.config->lab.user_host) : json::value(nullptr)}};
  root["topology"] = in.topology ? json::value(topology_json(*in.topology)) : json::value(nullptr);

  json::array hosts;
  for (const auto& h : plan.hosts) {
    json::array services;
    for (const auto& s : h.services) {
      json::array protos;
      if (s.udp) protos.push_back("udp");
      if (s.tcp) protos.push_back("tcp");
      services.push_back(json::object{{"kind", s.kind},
                                      {"address", h.address},
                                      {"port", s.port},
                                      {"protocols", std::move(protos)},
                                      {"note", s.note}});
    }
    json::value site = nullptr;
    if (in.topology) {
      if (auto n = in.topology->find(h.name); n && !in.topology->nodes[*n].site.empty())
        site = json::value(in.topology->nodes[*n].site);
    }
    json::object host{{"name", h.name},
                      {"address", h.address},
                      {"site", std::move(site)},
                      {"services", std::move(services)}};
    // With emulated links, the host's network namespace (`endhost lab exec`, `ip netns exec`).
    if (auto ns = in.namespaces.find(h.name); ns != in.namespaces.end()) host["netns"] = ns->second;
    hosts.push_back(std::move(host));
  }
  root["hosts"] = std::move(hosts);

  json::array zones;
  if (in.zones) {
    for (const auto& z : in.zones->zones) {
      json::array servers;
      for (const auto& s : z.servers) servers.push_back(json::string(s));
      zones.push_back(json::object{
          {"origin", z.origin}, {"file", "zones/" + z.file_name}, {"servers", std::move(servers)}});
    }
  }
  root["zones"] = std::move(zones);
  json::array web;
  for (const auto& h : plan.hosts) {
    const PlannedService* s = h.find("web");
    if (!s) continue;
    auto it = in.sites.find(h.config->site());
    json::array paths, pages;
    if (it != in.sites.end()) {
      for (const auto& f : it->second) {
        paths.push_back(json::string(f.path));
        for (const auto& o : f.objects) paths.push_back(json::string(o));
        if (!f.objects.empty()) {
          json::array objects;
          for (const auto& o : f.objects) objects.push_back(json::string(o));
          pages.push_back(json::object{{"path", f.path}, {"objects", std::move(objects)}});
        }
      }
    }
    web.push_back(json::object{{"host", h.name},
                               {"address", h.address},
                               {"port", s->port},
                               {"tls_port", in.config ? web_tls_port(h, plan, *in.config) : 0},
                               {"site", h.config->site()},
                               {"paths", std::move(paths)},
                               {"pages", std::move(pages)}});
  }
  root["web"] = std::move(web);
  // The FTP hosts with what a client needs to log in (the lab's documented login, not a secret) and the
  // site whose web server serves the same pub/ (the ftp experiment's HTTP half).
  json::array ftp;
  for (const auto& h : plan.hosts) {
    const PlannedService* s = h.find("ftp");
    const HostService* table = h.config ? h.config->find("ftp") : nullptr;
    if (!s || !table) continue;
    auto text = [&](const char* key) {
      const std::string* v = table->settings.get(key);
      return v ? json::value(*v) : json::value(nullptr);
    };
    ftp.push_back(json::object{{"host", h.name},
                               {"address", h.address},
                               {"port", s->port},
                               {"site", text("site")},
                               {"login", text("login")},
                               {"password", text("password")}});
  }
  root["ftp"] = std::move(ftp);
  // The mail hosts: where their SMTP, submission, POP3, IMAP and webmail ports are (0: none), their domains,
  // the user and password the lab wrote (documented, not secret), and their mail directory (Maildirs and
  // queue) under the state.
  json::array mail;
  const std::vector<std::string> origins = in.zones ? zone_origins(*in.zones) : std::vector<std::string>{};
  for (const auto& h : plan.hosts) {
    const PlannedService* s = h.find("mail");
    const HostService* table = h.config ? h.config->find("mail") : nullptr;
    if (!s || !table || !in.config) continue;
    auto text = [&](const char* key) {
      const std::string* v = table->settings.get(key);
      return v ? json::value(*v) : json::value(nullptr);
    };
    json::array domains;
    for (const auto& d : lab_mail_domains(*h.config, origins)) domains.push_back(json::string(d));
    const MailAccessPorts ports = mail_access_ports(h, plan, *in.config);
    mail.push_back(json::object{{"host", h.name},
                                {"address", h.address},
                                {"port", s->port},
                                {"submission_port", ports.submission},
                                {"pop3_port", ports.pop3},
                                {"imap_port", ports.imap},
                                {"webmail_port", ports.webmail},
                                {"domains", std::move(domains)},
                                {"login", text("login")},
                                {"password", text("password")},
                                {"mail_dir", in.state_dir + "/mail/" + h.name}});
  }
  root["mail"] = std::move(mail);
  // The UDP pingers with what they simulate themselves, for the ping experiment's model.
  json::array ping;
  for (const auto& h : plan.hosts) {
    const PlannedService* s = h.find("ping");
    if (!s) continue;
    auto number = [&](const char* key) {
      const std::string* v = s->settings.get(key);
      auto x = core::parse_number_setting(key, v ? *v : "0", 0, 1e9);
      return x ? *x : 0.0;
    };
    ping.push_back(json::object{{"host", h.name},
                                {"address", h.address},
                                {"port", s->port},
                                {"loss", number("loss")},
                                {"delay_ms", number("delay-ms")},
                                {"jitter_ms", number("jitter-ms")}});
  }
  root["ping"] = std::move(ping);
  json::array commands;
  for (auto& c : try_commands(in)) commands.push_back(json::string(c));
  root["commands"] = std::move(commands);
  root["example_url"] = example_url(in);
  return json::serialize(root) + "\n";
}

std::string LabInfo::user_host() const {
  if (network == "emulated" && topology && !topology->user_host.empty()) return topology->user_host;
  return dashboard ? dashboard->host : std::string();
}

const LabInfo::Host* LabInfo::find_host(std::string_view name) const {
  for (const auto& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

std::optional<asio::ip::address> LabInfo::client_address() const {
  boost::system::error_code ec;
  if (network == "emulated") {
    const Host* user = find_host(user_host());
    if (!user) return std::nullopt;
    auto address = asio::ip::make_address(user->address, ec);
    if (ec) return std::nullopt;
    return address;
  }
  if (!dashboard) return std::nullopt;
  auto address = asio::ip::make_address(dashboard->address, ec);
  if (ec) return std::nullopt;
  return address;
}

std::optional<Endpoint> LabInfo::service(std::string_view kind, std::string_view host) const {
  for (const auto& h : hosts) {
    if (!host.empty() && h.name != host) continue;
    for (const auto& s : h.services) {
      if (s.kind == kind) return Endpoint{h.name, s.address, s.port};
    }
  }
  return std::nullopt;
}

Expected<LabInfo, std::string> parse_lab_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Unexpected("lab.json is not a JSON object: " + ec.message());
  try {
    const json::object& o = v.as_object();
    LabInfo info;
    info.pid = o.at("pid").to_number<std::int64_t>();
    info.state_dir = json::value_to<std::string>(o.at("state"));
    info.dns_port = o.at("ports").at("dns").to_number<std::uint16_t>();
    auto endpoint = [&](const char* name) -> std::optional<Endpoint> {
      const json::value* e = o.if_contains(name);
      if (!e || e->is_null()) return std::nullopt;
      return Endpoint{json::value_to<std::string>(e->at("host")),
                      json::value_to<std::string>(e->at("address")),
                      e->at("port").to_number<std::uint16_t>()};
    };
    info.resolver = endpoint("resolver");
    info.cache = endpoint("cache");
    info.dashboard = endpoint("dashboard");
    for (const auto& hv : o.at("hosts").as_array()) {
      LabInfo::Host h;
      h.name = json::value_to<std::string>(hv.at("name"));
      h.address = json::value_to<std::string>(hv.at("address"));
      for (const auto& sv : hv.at("services").as_array()) {
        h.services.push_back({json::value_to<std::string>(sv.at("kind")),
                              json::value_to<std::string>(sv.at("address")),
                              sv.at("port").to_number<std::uint16_t>()});
      }
      if (const json::value* ns = hv.as_object().if_contains("netns"); ns && ns->is_string())
        h.netns = json::value_to<std::string>(*ns);
      info.hosts.push_back(std::move(h));
    }
    if (const json::value* web = o.if_contains("web")) {
      for (const auto& wv : web->as_array()) {
        LabInfo::WebHost w;
        w.host = json::value_to<std::string>(wv.at("host"));
        w.address = json::value_to<std::string>(wv.at("address"));
        w.port = wv.at("port").to_number<std::uint16_t>();
        if (const json::value* tls = wv.as_object().if_contains("tls_port"); tls && tls->is_number())
          w.tls_port = tls->to_number<std::uint16_t>();
        if (const json::value* site = wv.as_object().if_contains("site"); site && site->is_string())
          w.site = json::value_to<std::string>(*site);
        w.paths = json::value_to<std::vector<std::string>>(wv.at("paths"));
        for (const auto& pv : wv.at("pages").as_array()) {
          w.pages.push_back({json::value_to<std::string>(pv.at("path")),
                             json::value_to<std::vector<std::string>>(pv.at("objects"))});
        }
        info.web.push_back(std::move(w));
      }
    }
    if (const json::value* ftp = o.if_contains("ftp")) {
      auto field = [](const json::value& f, const char* key) {
        const json::value* s = f.as_object().if_contains(key);
        return s && s->is_string() ? json::value_to<std::string>(*s) : std::string();
      };
      for (const auto& fv : ftp->as_array()) {
        info.ftp.push_back({json::value_to<std::string>(fv.at("host")),
                            json::value_to<std::string>(fv.at("address")),
                            fv.at("port").to_number<std::uint16_t>(), field(fv, "site"), field(fv, "login"),
                            field(fv, "password")});
      }
    }
    if (const json::value* mail = o.if_contains("mail")) {
      auto field = [](const json::value& f, const char* key) {
        const json::value* s = f.as_object().if_contains(key);
        return s && s->is_string() ? json::value_to<std::string>(*s) : std::string();
      };
      for (const auto& mv : mail->as_array()) {
        LabInfo::MailHost m;
        m.host = json::value_to<std::string>(mv.at("host"));
        m.address = json::value_to<std::string>(mv.at("address"));
        m.port = mv.at("port").to_number<std::uint16_t>();
        m.submission_port = mv.at("submission_port").to_number<std::uint16_t>();
        // Absent from a lab.json written before POP3 and IMAP: 0, none.
        auto port = [&](const char* key) -> std::uint16_t {
          const json::value* p = mv.as_object().if_contains(key);
          return p && p->is_number() ? p->to_number<std::uint16_t>() : 0;
        };
        m.pop3_port = port("pop3_port");
        m.imap_port = port("imap_port");
        m.webmail_port = port("webmail_port");
        m.domains = json::value_to<std::vector<std::string>>(mv.at("domains"));
        m.login = field(mv, "login");
        m.password = field(mv, "password");
        m.mail_dir = field(mv, "mail_dir");
        info.mail.push_back(std::move(m));
      }
    }
    if (const json::value* ping = o.if_contains("ping")) {
      for (const auto& pv : ping->as_array()) {
        info.ping.push_back({json::value_to<std::string>(pv.at("host")),
                             json::value_to<std::string>(pv.at("address")),
                             pv.at("port").to_number<std::uint16_t>(), pv.at("loss").to_number<double>(),
                             pv.at("delay_ms").to_number<double>(), pv.at("jitter_ms").to_number<double>()});
      }
    }
    // Absent from a lab.json written before the network: loopback, no topology.
    if (const json::value* network = o.if_contains("network"); network && network->is_object()) {
      info.network = json::value_to<std::string>(network->at("mode"));
      info.network_reason = json::value_to<std::string>(network->at("reason"));
    }
    if (const json::value* topology = o.if_contains("topology"); topology && topology->is_object()) {
      auto t = topology_from_json(*topology);
      if (!t) return Unexpected(t.error());
      info.topology = std::move(*t);
    }
    if (const json::value* zones = o.if_contains("zones")) {
      for (const auto& zv : zones->as_array()) {
        info.zones.emplace_back(json::value_to<std::string>(zv.at("origin")),
                                json::value_to<std::vector<std::string>>(zv.at("servers")));
      }
    }
    return info;
  } catch (const std::exception& e) {
    return Unexpected(std::string("lab.json lacks a field the lab writes: ") + e.what());
  }
}

}  // namespace endhost::lab
