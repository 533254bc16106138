// The two ways a command fails, thrown only at the edge (src/cli) and turned into exit codes by main:
// UsageError (exit 2, with a hint to --help) for what the user typed wrong, RuntimeError (exit 1) for what
// went wrong while running (port in use, unreadable file).
#pragma once

#include <stdexcept>
#include <string>

namespace endhost::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace endhost::cli
