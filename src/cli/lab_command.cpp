// `endhost lab`: the main job, a small Internet on this machine's loopback addresses, with its dashboard and
// the textbook's experiments (`endhost lab experiment NAME`).

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "core/settings.hpp"
#include "lab/address_plan.hpp"
#include "lab/default_config.hpp"
#include "lab/experiments/experiment.hpp"
#include "lab/experiments/lab_access.hpp"
#include "lab/lab.hpp"
#include "lab/network/lab_exec.hpp"
#include "lab/state_dir.hpp"

namespace endhost::cli {

namespace {

struct LabCliOptions {
  std::string config;
  std::string state;
  bool keep = false;
  bool print_config = false;
  std::string net;
  std::string ports;
  std::string network;
  std::uint16_t port_base = 0;
  std::size_t threads = 0;
  bool threads_set = false;
  bool trace = false;
  bool verbose = false;
  std::string user;
  std::string log_format = "text";
  std::string log_level = "info";
};

core::LogLevel parse_level(const std::string& s) {
  if (s == "debug") return core::LogLevel::Debug;
  if (s == "warn") return core::LogLevel::Warn;
  if (s == "error") return core::LogLevel::Error;
  return core::LogLevel::Info;
}

lab::LabOptions to_lab_options(const LabCliOptions& o, const CLI::App& cmd) {
  lab::LabOptions l;
  l.config_file = o.config;
  l.state_dir = o.state;
  l.keep = o.keep;
  if (!o.net.empty()) l.net = o.net;
  if (o.ports == "auto") l.ports = lab::PortMode::automatic;
  if (o.ports == "real") l.ports = lab::PortMode::real;
  if (o.ports == "high") l.ports = lab::PortMode::high;
  if (o.network == "auto") l.network = lab::NetworkMode::automatic;
  if (o.network == "emulated") l.network = lab::NetworkMode::emulated;
  if (o.network == "loopback") l.network = lab::NetworkMode::loopback;
  if (cmd.count("--port-base")) l.port_base = o.port_base;
  if (cmd.count("--threads")) l.threads = o.threads;
  l.trace = o.trace;
  l.user = o.user;
  return l;
}

// The options `endhost lab` and `endhost lab experiment` share: which lab, where, on which addresses.
void add_lab_options(CLI::App& cmd, LabCliOptions& o, bool experiment) {
  cmd.add_option("--config", o.config,
                 "The lab's TOML configuration (default: the embedded one, see --print-config)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--state", o.state,
                 experiment
                     ? "State directory of the lab to use (default: the lab on --net, else the only one "
                       "running); with no lab "
                       "running there, one is started in it for the experiment"
                     : "Directory for the lab's state: zones, sites, caches, lab.json (default: a "
                       "temporary directory)");
  cmd.add_option("--net", o.net, "The 127.x /16 the hosts get addresses in, like 127.20 (overrides lab.net)");
  cmd.add_option("--ports", o.ports,
                 "real (53, 80, …), high (port base + those) or auto: real when root and free")
      ->check(CLI::IsMember({"auto", "real", "high"}));
  cmd.add_option(
         "--network", o.network,
         "emulated (each host in a network namespace, links with delay, rate and loss: root), loopback "
         "(every host on 127.x, links not emulated) or auto: emulated when root (overrides lab.network)")
      ->check(CLI::IsMember({"auto", "emulated", "loopback"}));
  cmd.add_option("--port-base", o.port_base, "High ports are this + the real port (overrides lab.port_base)")
      ->check(CLI::Range(1024, static_cast<int>(lab::kMaxPortBase)));
  cmd.add_option("--threads", o.threads, "Event-loop threads for all hosts together (default: one per core)")
      ->check(CLI::Range(0, 256));
  cmd.add_option("--log-format", o.log_format, "Log lines as readable text or JSON")
      ->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--log-level", o.log_level, "Least severe log level shown")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

}  // namespace

void add_lab_commands(CLI::App& root, RunFn& run) {
  auto o = std::make_shared<LabCliOptions>();
  auto* lab = root.add_subcommand("lab", "Run a small Internet on loopback addresses, with a live dashboard");
  add_lab_options(*lab, *o, false);
  lab->add_flag("--keep", o->keep, "Keep the temporary state directory on exit");
  lab->add_flag("--print-config", o->print_config,
                "Print the embedded default configuration (TOML) and exit");
  lab->add_flag("--trace", o->trace, "Also print every service's conversation (C: / S: lines) to stdout");
  lab->add_flag("--verbose", o->verbose,
                "Print the log (STATE/lab.log) to stderr after the map, not only its warnings");
  lab->add_option("--user", o->user,
                  "User to become once every service is bound (default when started as root on the real "
                  "ports: nobody); the state directory is given to it")
      ->type_name("NAME");
  lab->require_subcommand(0, 1);
  lab->footer(
      "Examples:\n"
      "  endhost lab                                  the default lab; prints its map, Ctrl-C stops it\n"
      "  endhost lab --print-config > my-lab.toml     a starting point for a lab of your own\n"
      "  endhost lab --config my-lab.toml --state ./lab --ports high\n"
      "  endhost lab --net 127.21 --verbose           a second lab beside the first, its log shown\n"
      "  endhost lab experiment dns-trace             in another terminal, against the running lab\n"
      "  sudo endhost lab exec user -- curl http://www.someschool.edu/   inside the user host (emulated "
      "links)");

  auto e = std::make_shared<LabCliOptions>();
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto rate = std::make_shared<std::string>();
  auto* exp = lab->add_subcommand("experiment", "Run one of the textbook's experiments against the lab");
  // Named from the registry, so a new experiment is listed here as soon as it exists.
  std::string names_text;
  const auto names = lab::experiment_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    names_text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  exp->add_option("name", *name, names_text)->required()->check(CLI::IsMember(lab::experiment_names()));
  exp->add_flag(
      "--json", *json,
      "Print what the experiment measured as one JSON object (what the dashboard draws), not the table");
  exp->add_option("--rate", *rate,
                  "hol: the rate its web server sends at, bytes per second (--limit-rate; K, M, G: binary "
                  "multiples; default 1M)")
      ->type_name("RATE");
  add_lab_options(*exp, *e, true);
  exp->footer(
      "Uses the running lab (the one --state names, else the one on --net, else the only one running),\n"
      "or starts its own.\n"
      "Examples:\n"
      "  endhost lab experiment page-load\n"
      "  endhost lab experiment cache --state ./lab\n"
      "  endhost lab experiment dns-trace --json      the measurements as JSON; the dashboard draws them\n"
      "  endhost lab experiment hol --rate 512K       head-of-line blocking, HTTP/1.1 beside HTTP/2");

  auto x = std::make_shared<LabCliOptions>();
  auto exec_host = std::make_shared<std::string>();
  auto exec_command = std::make_shared<std::vector<std::string>>();
  auto* exe = lab->add_subcommand(
      "exec", "Run a command inside a lab host's network namespace (a lab with emulated links, as root)");
  exe->add_option("host", *exec_host, "The host: its name, or its first label (user, www, …)")->required();
  exe->add_option("command", *exec_command, "The command and its arguments, after --")->required();
  exe->add_option("--state", x->state,
                  "State directory of the lab (default: the lab on --net, else the only "
                  "one running)");
  exe->add_option("--net", x->net, "The net of the lab to use, when several run");
  exe->footer(
      "The command's DNS is the lab's resolver (/etc/netns/NS/resolv.conf); its exit status is exec's.\n"
      "Examples:\n"
      "  endhost lab exec user -- curl -s -o /dev/null -w '%{time_total}\\n' http://www.someschool.edu/\n"
      "  endhost lab exec user -- dig www.someschool.edu\n"
      "  endhost lab exec www.someschool.edu -- ss -tn");
  exe->callback([x, exec_host, exec_command, &run] {
    run = [x, exec_host, exec_command]() -> int {
      std::string dir = x->state;
      if (dir.empty()) {
        auto found =
            lab::find_running_lab(x->net.empty() ? std::nullopt : std::optional<std::string>(x->net));
        if (!found) throw RuntimeError(found.error());
        if (!*found) throw RuntimeError("no lab is running (start one with `sudo endhost lab`)");
        dir = **found;
      }
      auto info = lab::running_lab(dir);
      if (!info) throw RuntimeError(info.error());
      auto target = lab::exec_target(*info, dir, *exec_host);
      if (!target) throw RuntimeError(target.error());
      throw RuntimeError(lab::exec_in_namespace(target->netns, *exec_command));
    };
  });

  lab->callback([o, lab, exp, exe, &run] {
    if (lab->got_subcommand(exp) || lab->got_subcommand(exe)) return;
    run = [o, lab] {
      if (o->print_config) {
        std::cout << lab::default_config_toml() << std::flush;
        return 0;
      }
      lab::LabLogOptions logging;
      logging.format = o->log_format == "json" ? core::LogFormat::Json : core::LogFormat::Text;
      logging.level = parse_level(o->log_level);
      logging.verbose = o->verbose;
      try {
        return lab::run_lab(to_lab_options(*o, *lab), logging, std::cout);
      } catch (const std::runtime_error& err) {
        throw RuntimeError(err.what());
      }
    };
  });
  exp->callback([e, name, json, rate, exp, &run] {
    lab::ExperimentOptions eo;
    if (!rate->empty()) {
      if (*name != "hol") throw UsageError("--rate is an option of the hol experiment");
      auto r = core::parse_size_setting("--rate", *rate, 1024, std::uint64_t{1} << 34);
      if (!r) throw UsageError(r.error());
      eo.rate = *r;
    }
    run = [e, name, json, eo, exp]() -> int {
      core::Logger log(e->log_format == "json" ? core::LogFormat::Json : core::LogFormat::Text,
                       parse_level(e->log_level), stderr);
      try {
        return lab::run_experiment(*name, to_lab_options(*e, *exp), log, std::cout, *json, eo);
      } catch (const std::runtime_error& err) {
        throw RuntimeError(err.what());
      }
    };
  });
}

}  // namespace endhost::cli
