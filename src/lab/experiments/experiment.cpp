#include "lab/experiments/experiment.hpp"

#include <signal.h>

#include <ostream>
#include <sstream>
#include <stdexcept>

#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_access.hpp"

namespace endhost::lab {

namespace {

// A plain coroutine, not a capturing lambda (GCC 12 mishandles those). `lab` and `out` outlive the
// io_context.
awaitable<int> run_named(std::string name, const LabInfo& lab, std::ostream& out) {
  if (name == "page-load") co_return co_await page_load_experiment(lab, out);
  if (name == "cache") co_return co_await cache_experiment(lab, out);
  co_return co_await dns_trace_experiment(lab, out);
}

}  // namespace

bool is_experiment(std::string_view name) {
  return name == "page-load" || name == "cache" || name == "dns-trace";
}

int run_experiment(const std::string& name, const LabOptions& options, core::Logger& log, std::ostream& out) {
  if (!is_experiment(name))
    throw std::runtime_error("no experiment named " + name + " (page-load, cache, dns-trace)");
  // Declared before the io_context, so destroyed after it: the experiment's coroutine frames, which borrow
  // the lab's description, go first, then a lab started for the experiment stops and its temporary state
  // directory is removed.
  std::unique_ptr<LabAccess> access;
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
  const LabInfo& lab = access->info();
  if (access->started_here()) {
    out << "(no running lab found: started one for this experiment in " << access->state_dir() << ")\n";
  } else {
    out << "(using the lab of " << access->state_dir() << ", pid " << lab.pid << ")\n";
  }
  out << std::flush;

  std::ostringstream err;
  int code = 1;
  asio::co_spawn(io, run_named(name, lab, out), [&](std::exception_ptr e, int result) {
    code = result;
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
  out << std::flush;
  if (stopped_by != 0) {
    out << "(stopped by " << (stopped_by == SIGINT ? "SIGINT" : "SIGTERM") << ")\n" << std::flush;
    return 128 + stopped_by;  // as a shell reports a program a signal ended
  }
  if (!err.str().empty()) throw std::runtime_error(err.str().substr(0, err.str().find('\n')));
  return code;
}

}  // namespace endhost::lab
