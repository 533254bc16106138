// How services plug into the `endhost` program: each adds its `endhost <service> <verb>` subcommands to the
// root, and the chosen verb's parse callback stores in `run` what main executes after parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace endhost::cli {

using RunFn = std::function<int()>;

}  // namespace endhost::cli

// Declares add_<service>_commands for every src/cli/<service>_command.cpp, and add_all_commands.
#include "cli/command_list.inc"
