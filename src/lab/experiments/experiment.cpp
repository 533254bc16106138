#include "lab/experiments/experiment.hpp"

#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/net_namespace.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_access.hpp"
#include "lab/experiments/lab_status.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

// The registry: a new experiment is one line here, one coroutine, and one figure in the dashboard's
// figures.js under the same name (docs/internals/lab.md, "Figures").
constexpr ExperimentKind kExperiments[] = {
    {"page-load", "non-persistent, persistent and parallel fetches of a page (§2.2.2)", page_load_experiment},
    {"cache", "the same requests with and without the institutional cache (§2.2.5)", cache_experiment},
    {"dns-trace", "the iterative resolution of gaia.cs.umass.edu, then through the local server (§2.4)",
     dns_trace_experiment},
    {"ftp", "one FTP control connection and a data connection per transfer, beside persistent HTTP",
     ftp_experiment},
    {"mail", "Alice's mail to Bob hop by hop, then held in her server's queue while Bob's is down (§2.3)",
     mail_experiment},
    {"mail-access",
     "Bob reads the same three messages by POP3 (delete, keep) and IMAP (folders, parts) (§2.3.4)",
     mail_access_experiment},
    {"hol", "one large and three small objects on one connection: HTTP/1.1 serial, pipelined, HTTP/2",
     hol_experiment},
    {"ping", "the UDP pinger's RTTs and losses against the path's delay and loss (§2.7)", ping_experiment},
};

const ExperimentKind* find_kind(std::string_view name) {
  for (const auto& k : kExperiments) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A plain coroutine, not a capturing lambda (GCC 12 mishandles those). `lab`, `out` and `result` outlive the
// io_context. The table is written to `out` and kept in the result's "text" as well; the result goes to the
// dashboard, which draws it (a lab without one is told nothing).
awaitable<int> run_kind(const ExperimentKind* kind, const LabInfo& lab, const ExperimentOptions& options,
                        std::ostream& out, json::object& result, bool tee) {
  std::ostringstream text;
  json::object data;
  const int code = co_await kind->run(lab, options, text, data);
  if (tee) out << text.str();
  result["experiment"] = kind->name;
  result["ok"] = code == 0;
  result["finished_unix_ms"] = unix_millis();
  for (auto& [k, v] : data) result[k] = std::move(v);
  result["text"] = text.str();
  if (lab.dashboard) {
    auto published = co_await publish_experiment(lab, json::serialize(result));
    if (!published) out << "(the dashboard did not take the result: " << published.error() << ")\n";
  }
  co_return code;
}

}  // namespace

std::span<const ExperimentKind> experiment_kinds() {
  return kExperiments;
}

bool is_experiment(std::string_view name) {
  return find_kind(name) != nullptr;
}

std::vector<std::string> experiment_names() {
  std::vector<std::string> out;
  for (const auto& k : kExperiments) out.emplace_back(k.name);
  return out;
}

int run_experiment(const std::string& name, const LabOptions& options, core::Logger& log, std::ostream& out,
                   bool json_output, const ExperimentOptions& experiment) {
  const ExperimentKind* kind = find_kind(name);
  if (!kind) {
    std::string names;
    for (const auto& k : kExperiments) names += (names.empty() ? "" : ", ") + std::string(k.name);
    throw std::runtime_error("no experiment named " + name + " (" + names + ")");
  }
  // Declared before the io_context, so destroyed after it: the experiment's coroutine frames, which borrow
  // the lab's description, go first, then a lab started for the experiment stops and its temporary state
  // directory is removed.
  std::unique_ptr<LabAccess> access;
  LabInfo lab;  // the lab as this process reaches it (emulated: from inside the user host)
  asio::io_context io(1);
  // Ctrl-C or SIGTERM stops the experiment where it is, and the lab it started is cleaned up on the way out.
  // The handler is in place before a lab is started (a signal that arrives meanwhile waits for io.run()), and
  // a lab started for the experiment leaves the signals to it (handle_signals = false).
  asio::signal_set signals(io, SIGINT, SIGTERM);
  int stopped_by = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    stopped_by = signo;
    io.stop();
  });

  // A lab started for the experiment logs only its warnings: the output is the experiment's table.
  core::Logger quiet(log.format(), core::LogLevel::Warn, stderr);
  auto opened = LabAccess::open(options, quiet);
  if (!opened) throw std::runtime_error(opened.error());
  access = std::move(*opened);
  lab = access->info();
  // With emulated links the experiment is the user's machine: this thread enters the user host's network
  // namespace for the rest of the run (the outermost scope of a thread that runs only the experiment, and
  // the threads it starts, such as hol's web server, begin there too), so every socket it makes sends from
  // the user host across the emulated links; the dashboard is then reached at its lab host's address.
  std::optional<core::NetNamespace> user_netns;
  std::optional<core::ScopedNetns> inside;
  if (lab.network == "emulated") {
    const LabInfo::Host* user = lab.find_host(lab.user_host());
    if (!user || user->netns.empty())
      throw std::runtime_error(
          "the lab's links are emulated but it has no user host (lab.user_host) to send from");
    auto ns = core::NetNamespace::open(user->netns);
    if (!ns) throw std::runtime_error("the user host's namespace: " + ns.error());
    user_netns.emplace(std::move(*ns));
    inside.emplace(*user_netns);
    if (!*inside)
      throw std::runtime_error(inside->message() + " (experiments on emulated links run as root)");
    if (auto d = lab.service(kDashboard)) lab.dashboard = d;
  }
  // With --json, stdout is the one JSON object and nothing else; the lines for people go nowhere.
  std::ostringstream discarded;
  std::ostream& text = json_output ? static_cast<std::ostream&>(discarded) : out;
  if (access->started_here()) {
    text << "(no running lab found: started one for this experiment in " << access->state_dir() << ")\n";
  } else {
    text << "(using the lab of " << access->state_dir() << ", pid " << lab.pid << ")\n";
  }
  text << std::flush;

  json::object result;
  result["lab"] = json::object{
      {"state_dir", access->state_dir()}, {"pid", lab.pid}, {"started_here", access->started_here()}};
  std::ostringstream err;
  int code = 1;
  asio::co_spawn(io, run_kind(kind, lab, experiment, text, result, true), [&](std::exception_ptr e, int r) {
    code = r;
    signals.cancel();  // nothing left to interrupt: let io.run() return
    if (!e) return;
    code = 1;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      err << "lab experiment " << name << ": " << ex.what() << "\n";
    }
  });
  io.run();
  text << std::flush;
  if (stopped_by != 0) {
    (json_output ? std::cerr : out) << "(stopped by " << (stopped_by == SIGINT ? "SIGINT" : "SIGTERM")
                                    << ")\n"
                                    << std::flush;
    return 128 + stopped_by;  // as a shell reports a program a signal ended
  }
  if (!err.str().empty()) throw std::runtime_error(err.str().substr(0, err.str().find('\n')));
  if (json_output) out << json::serialize(result) << "\n" << std::flush;
  return code;
}

}  // namespace endhost::lab
