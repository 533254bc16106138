// Messages for what the user mistyped, as the tools they know give them: an unknown service, verb or option
// is named, with the nearest known spelling ("unknown service 'wbe'; did you mean 'web'?", "unknown option
// --lsten; did you mean --listen?"), and a few habits from other servers get their endhost spelling
// ("--port 8080" → "use --listen 127.0.0.1:8080"). main asks for one when CLI11 refuses a command line.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::cli {

// Edit distance with adjacent transpositions counted as one edit ("wbe" → "web" is 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is near enough to be what was meant.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

struct Mistake {
  std::string message;  // one line: what was wrong and what to type instead
  std::string command;  // "endhost web serve": whose --help to point to
};

// Walks `args` (argv without the program name) through `root`'s commands and options, and explains the first
// unknown service, verb or option. Nothing when each word is known (CLI11's own message is right then).
std::optional<Mistake> find_mistake(const CLI::App& root, const std::vector<std::string>& args);

// Each service's `endhost <service> --help` footer: the examples of its verbs, instead of the program's.
void set_service_footers(CLI::App& root);

}  // namespace endhost::cli
