// `endhost lab`: the main job, a small Internet on this machine's loopback addresses.

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "lab/lab.hpp"

namespace endhost::cli {

void add_lab_commands(CLI::App& root, RunFn& run) {
  struct Options {
    bool trace = false;
    std::string log_format = "text";
    std::size_t threads = 0;
    std::uint16_t port = 12000;
  };
  auto o = std::make_shared<Options>();
  auto* lab = root.add_subcommand("lab", "Run a small Internet on loopback addresses and print its map");
  lab->add_flag("--trace", o->trace, "Print every service's conversation (C: / S: lines) to stdout");
  lab->add_option("--log-format", o->log_format, "Log lines as readable text or JSON")
      ->check(CLI::IsMember({"text", "json"}));
  lab->add_option("--threads", o->threads, "Event-loop threads (default: one per core)")
      ->check(CLI::Range(0, 1024));
  lab->add_option("--port", o->port, "Port of the echo and ping services on their hosts")
      ->capture_default_str();
  lab->footer("Example:\n  endhost lab --trace");
  lab->callback([o, &run] {
    run = [o] {
      lab::LabOptions options;
      options.trace = o->trace;
      options.log_format = o->log_format == "json" ? core::LogFormat::Json : core::LogFormat::Text;
      options.threads = o->threads;
      options.port = o->port;
      try {
        return lab::run_lab(options, std::cout);
      } catch (const std::runtime_error& e) {
        throw RuntimeError(e.what());
      }
    };
  });
}

}  // namespace endhost::cli
