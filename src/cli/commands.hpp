// How services plug into the `endhost` program: each adds its `endhost <service> <verb>` subcommands to the
// root, and the chosen verb's parse callback stores in `run` what main executes after parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace endhost::cli {

using RunFn = std::function<int()>;

void add_echo_commands(CLI::App& root, RunFn& run);
void add_ping_commands(CLI::App& root, RunFn& run);
void add_lab_command(CLI::App& root, RunFn& run);

}  // namespace endhost::cli
