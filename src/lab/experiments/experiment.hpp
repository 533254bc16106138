// `endhost lab experiment NAME`: the textbook's experiments, run against a lab. Each prints a short table of
// what it measured next to what the textbook's model predicts (docs/internals/lab.md, "Experiments"):
//   page-load  non-persistent, persistent and parallel fetches of a page with N objects (§2.2.2)
//   cache      the same requests with and without the institutional cache (§2.2.5)
//   dns-trace  the iterative resolution of gaia.cs.umass.edu, step by step, then again from the cache (§2.4)
#pragma once

#include <iosfwd>
#include <string>

#include "core/log.hpp"
#include "lab/lab.hpp"

namespace endhost::lab {

// The experiment names, for the command line.
bool is_experiment(std::string_view name);

// Finds the lab (options.state_dir, else the current-lab pointer) or starts one of its own, runs `name`,
// prints to `out`. Returns the exit code: 0 when the experiment ran and its checks held. Throws
// std::runtime_error with a one-line reason when no lab can be reached or started.
int run_experiment(const std::string& name, const LabOptions& options, core::Logger& log, std::ostream& out);

}  // namespace endhost::lab
