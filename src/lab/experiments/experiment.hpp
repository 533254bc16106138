// `endhost lab experiment NAME`: the textbook's experiments, run against a lab. Each prints a short table of
// what it measured next to what the textbook's model predicts (docs/internals/lab.md, "Experiments"), or with
// --json what it measured as JSON; either way the result goes to the lab's dashboard, which draws it:
//   page-load  non-persistent, persistent and parallel fetches of a page with N objects (§2.2.2)
//   cache      the same requests with and without the institutional cache (§2.2.5)
//   dns-trace  the iterative resolution of gaia.cs.umass.edu, step by step, then again from the cache (§2.4)
//   ftp        one control connection and a data connection per file or listing, beside persistent HTTP
//   mail       Alice's message to Bob hop by hop, then held in her server's queue while Bob's is down (§2.3)
//   mail-access  Bob reads three messages by POP3 download-and-delete, download-and-keep and IMAP (§2.3.4)
//   hol        one large and three small objects on one connection: HTTP/1.1 serial and pipelined, HTTP/2
//   ping       the UDP pinger's RTTs and losses against the path's set delay and loss (§2.7)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "lab/lab.hpp"

namespace endhost::lab {

// What the command line gives an experiment besides the lab.
struct ExperimentOptions {
  std::uint64_t rate = 0;  // hol --rate: its web server's --limit-rate in bytes per second (0: 1 MiB/s)
};

// The experiment names (the registry, experiments_impl.hpp), for the command line and the dashboard.
bool is_experiment(std::string_view name);
std::vector<std::string> experiment_names();

// Finds the lab (options.state_dir, else the current-lab pointer) or starts one of its own, runs `name`,
// prints its table to `out` (or, with `json`, only the result as one JSON object) and gives the result to the
// lab's dashboard. Returns the exit code: 0 when the experiment ran and its checks held. Throws
// std::runtime_error with a one-line reason when no lab can be reached or started.
int run_experiment(const std::string& name, const LabOptions& options, core::Logger& log, std::ostream& out,
                   bool json = false, const ExperimentOptions& experiment = {});

}  // namespace endhost::lab
