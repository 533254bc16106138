// Internal to the experiments: one coroutine per experiment, run on a client io_context against a lab.
#pragma once

#include <iosfwd>

#include "core/asio.hpp"
#include "lab/lab_map.hpp"

namespace endhost::lab {

awaitable<int> page_load_experiment(const LabInfo& lab, std::ostream& out);
awaitable<int> cache_experiment(const LabInfo& lab, std::ostream& out);
awaitable<int> dns_trace_experiment(const LabInfo& lab, std::ostream& out);

}  // namespace endhost::lab
