#include "lab/experiments/experiment.hpp"

#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/run_client.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_access.hpp"

namespace endhost::lab {

bool is_experiment(std::string_view name) {
  return name == "page-load" || name == "cache" || name == "dns-trace";
}

int run_experiment(const std::string& name, const LabOptions& options, core::Logger& log, std::ostream& out) {
  if (!is_experiment(name))
    throw std::runtime_error("no experiment named " + name + " (page-load, cache, dns-trace)");
  // A lab started for the experiment logs only its warnings: the output is the experiment's table.
  core::Logger quiet(log.format(), core::LogLevel::Warn, stderr);
  auto access = LabAccess::open(options, quiet);
  if (!access) throw std::runtime_error(access.error());
  const LabInfo& lab = (*access)->info();
  if ((*access)->started_here()) {
    out << "(no running lab found: started one for this experiment in " << (*access)->state_dir() << ")\n";
  } else {
    out << "(using the lab of " << (*access)->state_dir() << ", pid " << lab.pid << ")\n";
  }
  std::ostringstream err;
  int code = core::run_client(
      [&]() -> awaitable<int> {
        if (name == "page-load") co_return co_await page_load_experiment(lab, out);
        if (name == "cache") co_return co_await cache_experiment(lab, out);
        co_return co_await dns_trace_experiment(lab, out);
      },
      err, "lab experiment " + name);
  if (!err.str().empty()) throw std::runtime_error(err.str().substr(0, err.str().find('\n')));
  out << std::flush;
  return code;
}

}  // namespace endhost::lab
