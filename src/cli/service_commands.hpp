// `endhost <service> serve` for every service of the registry, and the find-or-add of a service's command
// that the command files use to add their other verbs (`echo client`, `dns query`) beside it.
#pragma once

#include <string>

#include "cli/commands.hpp"
#include "core/service_registry.hpp"

namespace endhost::cli {

// `endhost <name>`, added with `summary` unless it exists already. The command files call it without one for
// their other verbs: add_service_commands has added the command with the descriptor's summary by then.
CLI::App& service_command(CLI::App& root, const std::string& name, const std::string& summary = {});

// Adds `serve` under `endhost <name>` for each registered service. `registry` must outlive the parse and
// the run.
void add_service_commands(CLI::App& root, const core::ServiceRegistry& registry, RunFn& run);

}  // namespace endhost::cli
