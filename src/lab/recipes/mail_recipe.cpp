// A mail server (`endhost mail serve`, the `mail` service) for one lab domain: mail.crepes.fr for Alice,
// mail.hamburger.edu for Bob (Kurose & Ross §2.3). The lab writes what only it knows:
//   - the mail directory STATE/mail/<host>/ (Maildirs, queue, DKIM keys) and the users file
//     STATE/mail/<host>.users with the table's login and password (argon2id, written afresh at each start);
//   - the domain: the table's `domain`, else the closest lab zone of the host's name (mail.crepes.fr →
//     crepes.fr);
//   - the DKIM key (made once under STATE/mail/<host>/dkim, kept with --state) and its TXT record
//     `<selector>._domainkey.<domain>`, and an SPF policy `v=spf1 mx -all`, both put into the domain's zone
//     before the DNS servers start (RFC 6376 §3.6.2.1, RFC 7208 §3);
//   - the lab's resolver (--resolver), the lab's SMTP port as the next hop's (--relay-port), the submission
//     listener (587, or port_base + 587), the POP3 listener (110, or port_base + 110), the IMAP listener
//     (143, or port_base + 143) and the webmail (80, or port_base + 80) on the host's address when the table
//     has a login (mail_access_ports), and short retry times, so that a deferred message is seen to go out
//     within seconds once its next hop is back.
//   - with emulated links, lab.subnet as --trusted-networks: the clients' addresses are not loopback there,
//     and they log in without TLS as on loopback.
// The SMTP port goes through the lab's switch (recipe.hpp `switchable`: a PortSwitch on loopback, the link
// pump's closed ports on emulated links), so the dashboard and the mail experiment can take the server down
// and bring it back.
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "auth/user_db.hpp"
#include "core/system_random.hpp"
#include "lab/recipes/recipes.hpp"
#include "lab/state_dir.hpp"
#include "mail/checks/keys.hpp"

namespace endhost::lab {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultSelector = "lab";
constexpr const char* kDefaultAlgorithm = "ed25519";  // a TXT record of one short string (RFC 8463)
constexpr std::uint16_t kSubmissionPort = 587;        // RFC 6409 §3.1
constexpr std::uint16_t kPop3Port = 110;              // RFC 1939 §3
constexpr std::uint16_t kImapPort = 143;              // RFC 3501 §1

const std::string* get(const HostService& s, const char* key) {
  return s.settings.get(key);
}

// The table's domains, else the host's closest lab zone.
std::vector<std::string> mail_domains(const HostService& table, const std::string& host,
                                      const std::vector<std::string>& origins) {
  std::vector<std::string> out;
  for (const auto& d : table.settings.all("domain")) out.push_back(normalize_name(d));
  if (out.empty()) {
    std::string zone = closest_zone(host, origins);
    if (!zone.empty() && zone != ".") out.push_back(zone);
  }
  return out;
}

// `name` relative to `origin` for a master file: "@" for the origin itself.
std::string relative_to(const std::string& name, const std::string& origin) {
  if (name == origin) return "@";
  return name.substr(0, name.size() - origin.size() - 1);
}

// A TXT record's text as master-file character strings of at most 255 bytes each (RFC 1035 §3.3.14):
// an RSA key's record is longer than one string may be.
std::string txt_strings(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    std::string_view part = text.substr(0, 255);
    text.remove_prefix(part.size());
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : part) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

std::string dkim_dir(const std::string& state_dir, const std::string& host) {
  return state_dir + "/mail/" + host + "/dkim";
}

Expected<void, std::string> write_users(const std::string& file, const std::string& user,
                                        const std::string& password) {
  std::error_code ec;
  fs::remove(file, ec);
  if (ec) return Unexpected(fmt::format("cannot replace {}: {}", file, ec.message()));
  core::SystemRandom random;
  return auth::add_user(file, user, password, random);
}

Expected<void, std::string> check_mail_table(const HostService& s, const LabConfig&) {
  const std::string* user = get(s, "login");
  const std::string* password = get(s, "password");
  if ((user == nullptr) != (password == nullptr))
    return Unexpected(std::string("login and password go together: give both (the mailbox's user)"));
  if (user) {
    if (auto why = auth::invalid_user_name(*user)) return Unexpected("login: " + *why);
    if (password->empty()) return Unexpected(std::string("password: empty"));
  }
  if (const std::string* alg = get(s, "dkim-algorithm"); alg && *alg != "ed25519" && *alg != "rsa")
    return Unexpected(fmt::format("dkim_algorithm: '{}' is neither ed25519 nor rsa", *alg));
  return {};
}

}  // namespace

std::vector<std::string> zone_origins(const ZonePlan& zones) {
  std::vector<std::string> out;
  for (const auto& z : zones.zones) out.push_back(z.origin);
  return out;
}

std::vector<std::string> lab_mail_domains(const HostConfig& host, const std::vector<std::string>& origins) {
  const HostService* table = host.find("mail");
  return table ? mail_domains(*table, host.name, origins) : std::vector<std::string>{};
}

MailAccessPorts mail_access_ports(const PlannedHost& host, const AddressPlan& plan, const LabConfig& config) {
  MailAccessPorts p;
  const HostService* table = host.config ? host.config->find("mail") : nullptr;
  if (!table || !get(*table, "login")) return p;
  auto port = [&](std::uint16_t real) {
    return plan.mode == PortMode::real ? real : static_cast<std::uint16_t>(config.lab.port_base + real);
  };
  p.submission = port(kSubmissionPort);
  p.pop3 = port(kPop3Port);
  p.imap = port(kImapPort);
  // A host that also serves the Web has 80 taken: no webmail there, rather than a server that cannot bind.
  const std::uint16_t web = port(kHttpPort);
  bool taken = false;
  for (const auto& s : host.services) taken = taken || (s.tcp && s.port == web);
  if (!taken) p.webmail = web;
  return p;
}

LabRecipe mail_recipe() {
  LabRecipe r;
  r.keys = {"login", "password"};
  r.sets = {"mail-dir", "users", "resolver", "relay-port", "submission-listen", "pop3", "imap", "webmail"};
  r.switchable = true;
  r.validate = check_mail_table;
  r.note = [](const core::Settings& s) {
    std::string note = s.get("login") ? "SMTP, POP3, IMAP" : "SMTP";
    if (const std::string* user = s.get("login")) note += ", user " + *user;
    for (const auto& d : s.all("domain")) note += " @" + d;
    return note + ", DKIM";
  };
  r.zone_records = [](const ZoneRecordContext& ctx,
                      const HostService& table) -> Expected<std::vector<ZoneRecord>, std::string> {
    std::vector<ZoneRecord> out;
    const std::string* sel = get(table, "dkim-selector");
    const std::string selector = sel ? *sel : kDefaultSelector;
    const std::string* alg = get(table, "dkim-algorithm");
    const std::string algorithm = alg ? *alg : kDefaultAlgorithm;
    const auto domains = mail_domains(table, ctx.host.name, ctx.zone_origins);
    if (domains.empty())
      return Unexpected(
          fmt::format("no mail domain: give mail.domain, or serve a zone above {}", ctx.host.name));
    const std::string dir = dkim_dir(ctx.state_dir, ctx.host.name);
    if (auto ok = make_directories(dir); !ok) return Unexpected(ok.error());
    for (const std::string& domain : domains) {
      const std::string origin = closest_zone(domain, ctx.zone_origins);
      if (origin.empty() || origin == ".")
        return Unexpected(fmt::format(
            "domain {}: no lab zone holds it, so it can have no MX or DKIM record: serve it (dns.zones)",
            domain));
      auto algo = mail::checks::parse_key_algorithm(algorithm);
      if (!algo) return Unexpected("dkim_algorithm: " + algo.error());
      auto key = mail::checks::ensure_key(dir, domain, selector, *algo);
      if (!key) return Unexpected(fmt::format("DKIM key of {}: {}", domain, key.error()));
      const std::string key_name = relative_to(selector + "._domainkey." + domain, origin);
      out.push_back({origin, fmt::format("{} TXT {}", key_name, txt_strings(key->record_text()))});
      // The servers that may send as the domain are its MX hosts: the lab's mail host sends from its own
      // address, which its MX's A record names.
      out.push_back({origin, fmt::format("{} TXT \"v=spf1 mx -all\"", relative_to(domain, origin))});
    }
    return out;
  };
  r.prepare = [](const RecipeContext& ctx, const HostService& table,
                 core::Settings& settings) -> Expected<void, std::string> {
    const std::string dir = ctx.files.state_dir + "/mail/" + ctx.host.name;
    if (auto ok = make_directories(dir); !ok) return ok;
    settings.set("mail-dir", dir);
    if (!settings.has("domain")) {
      for (const auto& d : mail_domains(table, ctx.host.name, zone_origins(*ctx.files.zones)))
        settings.add("domain", d);
    }
    if (!settings.has("hostname")) settings.set("hostname", ctx.host.name);
    if (!settings.has("dkim-selector")) settings.set("dkim-selector", kDefaultSelector);
    if (!settings.has("dkim-algorithm")) settings.set("dkim-algorithm", kDefaultAlgorithm);
    const AddressPlan& plan = *ctx.files.plan;
    // The next hop's SMTP port is the lab's: every mail host listens on the same planned port.
    settings.set("relay-port", std::to_string(ctx.service.port));
    if (const PlannedHost* res = plan.host_with("resolver"))
      settings.set("resolver", fmt::format("{}:{}", res->address, res->find("resolver")->port));
    // Every mail host on its own address: the default (127.0.0.1) would be one port for all of them. Without
    // a login there is nobody to log in: off, since the server refuses these listeners without users.
    const MailAccessPorts ports = mail_access_ports(ctx.host, plan, ctx.config);
    auto listen = [&](std::uint16_t port) {
      return port ? fmt::format("{}:{}", ctx.host.address, port) : std::string("off");
    };
    settings.set("submission-listen", listen(ports.submission));
    settings.set("pop3", listen(ports.pop3));
    settings.set("imap", listen(ports.imap));
    settings.set("webmail", listen(ports.webmail));
    // With emulated links the clients (the user host, the other mail host) come from lab.subnet, not
    // loopback: they may log in without TLS as they do on loopback (--trusted-networks, as Dovecot's
    // login_trusted_networks). The lab's addresses are routed nowhere else (RFC 2544's benchmarking range).
    if (plan.network.mode == NetworkMode::emulated) settings.add("trusted-networks", plan.subnet);
    // Short retries for the lab (Postfix waits 300 s to 4000 s): a message deferred while Bob's server is
    // down goes out a few seconds after it is back.
    if (!settings.has("retry-min")) settings.set("retry-min", "5");
    if (!settings.has("retry-max")) settings.set("retry-max", "20");
    if (!settings.has("queue-run-interval")) settings.set("queue-run-interval", "5");
    if (const std::string* user = get(table, "login")) {
      const std::string users = dir + ".users";
      if (auto ok = write_users(users, *user, *get(table, "password")); !ok) return ok;
      settings.set("users", users);
      if (!settings.has("postmaster")) settings.set("postmaster", *user);
    }
    return {};
  };
  return r;
}

std::uint16_t switched_port(std::uint16_t planned) {
  return planned <= 65535 - 10000 ? static_cast<std::uint16_t>(planned + 10000)
                                  : static_cast<std::uint16_t>(planned - 10000);
}

}  // namespace endhost::lab
