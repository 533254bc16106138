// Reads a lab configuration from TOML (toml++). Strict: an unknown key or a value of the wrong type is an
// error naming the file, the line and the key, so a typo in a hand-edited config never passes silently. The
// schema is the embedded default's (endhost lab --print-config) and docs/internals/lab.md.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/service_registry.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

// Parses and validates. A host's keys besides name and address are services of `services` (or the lab's
// dashboard), each with a table of its options and its recipe's keys. Errors read "file:line: what, and what
// to do".
Expected<LabConfig, std::string> parse_config(std::string_view toml_text, std::string_view file_name,
                                              const core::ServiceRegistry& services);

// Reads `path` (at most kMaxConfigBytes) and parses it.
Expected<LabConfig, std::string> load_config_file(const std::string& path,
                                                  const core::ServiceRegistry& services);

inline constexpr std::size_t kMaxConfigBytes = 4u << 20;

}  // namespace endhost::lab
