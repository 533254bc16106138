// A web server for one site: the files the lab wrote under STATE/sites/<site>, for any Host, in clear on its
// planned port and over TLS (h2 and http/1.1 by ALPN, the host's certificate from the lab's CA) on 443 or
// port_base + 443; the cookie site's visitor database under STATE/sessions/<host>; the access log in
// STATE/logs/<host>.access.log.
#include <fmt/format.h>

#include "lab/recipes/recipes.hpp"
#include "lab/restricted_ports.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

namespace {

// Visitors the cookie site remembers; past this, the least recently seen are forgotten.
constexpr const char* kMaxVisitors = "100000";

bool sessions_on(const core::Settings& s) {
  const std::string* v = s.get("sessions");
  return v && *v == "true";
}

}  // namespace

std::uint16_t web_tls_port(const PlannedHost& host, const AddressPlan& plan, const LabConfig& config) {
  if (!host.find("web")) return 0;
  const unsigned port =
      plan.mode == PortMode::real ? kHttpsPort : unsigned{config.lab.port_base} + kHttpsPort;
  if (port > 65535 || browser_restricted_port(static_cast<std::uint16_t>(port))) return 0;
  for (const auto& s : host.services) {
    if (s.tcp && s.port == port) return 0;
  }
  return static_cast<std::uint16_t>(port);
}

LabRecipe web_recipe() {
  LabRecipe r;
  r.keys = {"site"};
  r.sets = {"root", "state", "access-log", "tls-listen"};
  r.lab_certificate = true;
  r.validate = [](const HostService& s, const LabConfig& c) -> Expected<void, std::string> {
    const std::string* site = s.settings.get("site");
    if (!site) return Unexpected(std::string("no site: web.site = \"NAME\" and a [site.NAME] table"));
    if (!c.find_site(*site))
      return Unexpected(fmt::format("site '{}' is not defined: add a [site.{}] table", *site, *site));
    return {};
  };
  r.note = [](const core::Settings& s) {
    const std::string* site = s.get("site");
    return "site: " + (site ? *site : std::string()) + (sessions_on(s) ? ", cookies and sessions" : "");
  };
  r.prepare = [](const RecipeContext& ctx, const HostService& table,
                 core::Settings& settings) -> Expected<void, std::string> {
    settings.set("root", ctx.files.sites_dir + "/" + *table.settings.get("site"));
    // HTTPS beside the clear port, with the host's certificate (lab.cpp gives it, recipe.hpp).
    if (const std::uint16_t tls = web_tls_port(ctx.host, *ctx.files.plan, ctx.config); tls != 0)
      settings.set("tls-listen", fmt::format("{}:{}", ctx.host.address, tls));
    if (sessions_on(settings)) {
      const std::string state = ctx.files.state_dir + "/sessions/" + ctx.host.name;
      if (auto ok = make_directories(state); !ok) return ok;
      settings.set("state", state);
      if (!settings.has("max-visitors")) settings.set("max-visitors", kMaxVisitors);
    }
    return set_access_log(ctx, settings);
  };
  return r;
}

}  // namespace endhost::lab
