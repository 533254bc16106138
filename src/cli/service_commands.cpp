// `endhost <service> serve` for every registered service, built from its descriptor: its own options (from
// its SettingTable) and the options every server shares (server_options.hpp), then one start-up sequence
// for all: settings → the service's factory → adopt → bind (the `listening` lines) → the admin listener →
// privilege drop → start → run.
#include "cli/service_commands.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/server_options.hpp"
#include "core/binder.hpp"
#include "core/service_host.hpp"
#include "http/server/admin_server.hpp"

namespace endhost::cli {

namespace {

// The admin listener as one of the host's services, so that it is destroyed after the coroutines on the
// loops ended, like the service it reports on. Not drained: it answers /health (503) while the others drain.
class AdminService final : public core::Service {
 public:
  AdminService(core::ServiceHost& host, const std::string& name, std::function<std::string()> text,
               std::vector<asio::ip::tcp::endpoint> endpoints)
      : listener_(host, name, std::move(text)), endpoints_(std::move(endpoints)) {}
  Expected<void, std::string> bind(core::Binder& binder) override {
    return listener_.bind(binder, endpoints_);
  }
  void start() override { listener_.start(); }
  web::AdminListener& listener() { return listener_; }

 private:
  web::AdminListener listener_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;
};

constexpr const char* kPositional = "root";

// What CLI11 fills in for one `serve` command: the shared options and the service's, as text.
struct ServeValues {
  ServerOptions server;
  std::vector<std::string> admin;
  std::map<std::string, std::string> single;                 // options with one value
  std::map<std::string, std::vector<std::string>> repeated;  // repeatable options
  std::map<std::string, bool> flags;
  std::map<std::string, const CLI::Option*> given;  // to tell a value given from the default
  std::string positional;                           // --root given as the positional argument
};

core::Settings settings_of(const ServeValues& v, const core::ServiceDescriptor& d) {
  core::Settings s;
  if (!v.positional.empty()) {
    if (v.given.at(kPositional)->count() > 0)
      throw UsageError(std::string("give --") + kPositional + " once: either '" + v.positional + "' or --" +
                       kPositional);
    s.add(kPositional, v.positional);
  }
  for (const auto& o : d.options) {
    const CLI::Option* option = v.given.at(o.name);
    if (option->count() == 0) continue;
    if (o.value_name.empty()) {
      if (auto it = v.flags.find(o.name); it != v.flags.end() && it->second) s.add(o.name, "true");
    } else if (o.repeatable) {
      if (auto it = v.repeated.find(o.name); it != v.repeated.end()) {
        for (const auto& value : it->second) s.add(o.name, value);
      }
    } else if (auto it = v.single.find(o.name); it != v.single.end()) {
      s.add(o.name, it->second);
    }
  }
  return s;
}

int serve(const core::ServiceDescriptor& d, const ServeValues& v) {
  const core::Settings settings = settings_of(v, d);
  const core::Transports transports = d.transports_of(settings);
  // What only a TCP listener can use, asked of a service that listens on UDP only here (echo --udp).
  if (!transports.tcp && (!v.server.tls_cert.empty() || !v.admin.empty())) {
    throw UsageError(std::string(!v.server.tls_cert.empty() ? "--tls-cert" : "--admin") + ": " + d.name +
                     " listens on UDP only here; TLS and the admin listener need a TCP listener");
  }
  auto rt = make_runtime(v.server);
  core::ServiceEnv env{rt.host->loops(), *rt.log, rt.host->metrics(), rt.transcript(d.name)};
  if (transports.tcp) env.tcp_listen = tcp_listen_endpoints(v.server, d.default_serve_port());
  if (transports.udp) env.udp_listen = udp_listen_endpoints(v.server, d.default_serve_port());
  env.max_connections = v.server.max_connections;
  env.tls = rt.tls;
  env.transcripts = rt.trace_sink.get();
  auto made = d.make(settings, env);
  if (!made) {
    if (made.error().usage) throw UsageError(made.error().message);
    throw RuntimeError(made.error().message);
  }
  core::Service& service = rt.host->adopt(std::move(*made));
  core::Binder binder(*rt.log, d.name);
  if (auto ok = service.bind(binder); !ok) throw RuntimeError(ok.error());
  std::uint16_t lowest_port = binder.lowest_port();

  // The admin listener (/metrics, /health), off the service's own addresses. Owned by a service of the host,
  // so it closes with the loops and never outlives them.
  AdminService* admin = nullptr;
  if (!v.admin.empty()) {
    ServerOptions admin_options = v.server;
    admin_options.listen = v.admin;
    const auto endpoints = tcp_listen_endpoints(
        admin_options, static_cast<std::uint16_t>((d.serve_port ? d.serve_port : d.port) + 1));
    auto& metrics = rt.host->metrics();
    admin = &rt.host->adopt(std::make_unique<AdminService>(
        *rt.host, d.name + "-admin", [&service, &metrics] { return service.metrics_text(metrics); },
        endpoints));
    rt.secure(admin->listener().server(), {"http/1.1"});
    core::Binder admin_binder(*rt.log, d.name + "-admin");
    if (auto ok = admin->bind(admin_binder); !ok) throw RuntimeError(ok.error());
    lowest_port = std::min(lowest_port, admin_binder.lowest_port());
  }
  drop_privileges(v.server, *rt.log, lowest_port, service.writable_paths());
  if (admin) admin->start();
  service.start();
  return rt.host->run();
}

void add_serve_command(CLI::App& parent, const core::ServiceDescriptor& d, RunFn& run) {
  auto v = std::make_shared<ServeValues>();
  auto* cmd = parent.add_subcommand("serve", d.serve_help);
  for (const auto& o : d.options) {
    std::string names = "--" + o.name + (o.alias.empty() ? "" : "," + o.alias);
    CLI::Option* added = nullptr;
    if (o.value_name.empty()) {
      added = cmd->add_flag(names, v->flags[o.name], o.help);
    } else if (o.repeatable) {
      added = cmd->add_option(names, v->repeated[o.name], o.help)->type_name(o.value_name);
    } else {
      added = cmd->add_option(names, v->single[o.name], o.help)->type_name(o.value_name);
    }
    if (!o.default_text.empty()) added->default_str(o.default_text);
    v->given[o.name] = added;
  }
  // A service that serves a directory (--root) takes it as its one positional argument too, as `python3 -m
  // http.server` does: `endhost web serve ./site`.
  if (const core::OptionInfo* p = d.option(kPositional)) {
    std::string shown = p->value_name;  // "DIR" → the positional "dir"
    for (char& c : shown) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cmd->add_option(shown, v->positional, "Same as --" + p->name + " " + p->value_name)
        ->type_name(p->value_name);
  }
  const std::string listen = "127.0.0.1:" + std::to_string(d.default_serve_port());
  add_server_options(*cmd, v->server, listen, d.transports.tcp);
  if (d.transports.tcp) {
    cmd->add_option("--admin,--admin-listen", v->admin,
                    "Serve Prometheus metrics at http://ADDR:PORT/metrics and health at /health; repeatable")
        ->type_name("ADDR:PORT");
  }
  if (!d.examples.empty()) cmd->footer("Examples:\n" + d.examples);
  cmd->callback([v, &d, &run] { run = [v, &d] { return serve(d, *v); }; });
}

}  // namespace

CLI::App& service_command(CLI::App& root, const std::string& name, const std::string& summary) {
  for (CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return *sub;
  }
  auto* app = root.add_subcommand(name, summary);
  app->require_subcommand(1);
  return *app;
}

void add_service_commands(CLI::App& root, const core::ServiceRegistry& registry, RunFn& run) {
  for (const auto& d : registry.all()) add_serve_command(service_command(root, d.name, d.summary), d, run);
}

}  // namespace endhost::cli
