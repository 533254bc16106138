// Internal to the experiments: one coroutine per experiment, run on a client io_context against a lab. Each
// writes its table to `out` and what it measured to `data` (the JSON that `--json` prints and the dashboard
// draws as the experiment's figure: docs/internals/lab.md, "Figures").
#pragma once

#include <boost/json/object.hpp>
#include <iosfwd>
#include <span>
#include <string_view>

#include "core/asio.hpp"
#include "lab/experiments/experiment.hpp"
#include "lab/lab_map.hpp"

namespace endhost::lab {

using ExperimentFn = awaitable<int> (*)(const LabInfo& lab, const ExperimentOptions& options,
                                        std::ostream& out, boost::json::object& data);

// One experiment of the registry: its name on the command line (and the figure's kind on the dashboard).
struct ExperimentKind {
  std::string_view name;
  std::string_view summary;
  ExperimentFn run;
};

// Every experiment, in the order the help lists them.
std::span<const ExperimentKind> experiment_kinds();

awaitable<int> page_load_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                                    boost::json::object& data);
awaitable<int> cache_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                                boost::json::object& data);
awaitable<int> ftp_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                              boost::json::object& data);
awaitable<int> mail_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                               boost::json::object& data);
awaitable<int> mail_access_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                                      boost::json::object& data);
awaitable<int> hol_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                              boost::json::object& data);
awaitable<int> ping_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                               boost::json::object& data);
awaitable<int> dns_trace_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                                    boost::json::object& data);

}  // namespace endhost::lab
