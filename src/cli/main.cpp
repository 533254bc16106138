// endhost: the Internet's application layer in one program. `endhost <service> <verb> [options]`.

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/service_commands.hpp"
#include "cli/suggest.hpp"
#include "services/builtin_services.hpp"

namespace {

constexpr const char* kVersion = "endhost 0.1.0";

// The deepest subcommand the user reached, for a hint that names the right --help.
std::string command_path(const CLI::App* app) {
  std::string path = "endhost";
  for (const CLI::App* cur = app;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
    path += " " + cur->get_name();
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that closes early must not kill the process through SIGPIPE; write errors are handled in place.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{
      "endhost: the Internet's application layer (servers, clients and a lab of them), in one program.",
      "endhost"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  endhost lab                                   run a small Internet on loopback addresses\n"
      "  endhost echo serve --tcp --listen 127.0.0.1:12000\n"
      "  endhost echo client --tcp 127.0.0.1:12000 'hello there'\n"
      "  endhost ping serve --loss 0.3\n"
      "  endhost ping client 127.0.0.1 --count 10\n"
      "Run 'endhost <service> --help' for a service's verbs and options.");

  // One registry for the program and the lab: `serve` for each service comes from it, the other verbs from
  // the command files.
  const endhost::core::ServiceRegistry services = endhost::services::builtin_services();
  endhost::cli::RunFn run;
  endhost::cli::add_service_commands(app, services, run);
  endhost::cli::add_all_commands(app, run);
  endhost::cli::set_service_footers(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 says "argument not expected"; say which word was unknown and what was probably meant.
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (auto mistake = endhost::cli::find_mistake(app, args)) {
      std::cerr << "endhost: " << mistake->message << "\nRun '" << mistake->command
                << " --help' for usage.\n";
      return 2;
    }
    std::cerr << "endhost: " << e.what() << "\nRun '" << command_path(&app) << " --help' for usage.\n";
    return 2;
  } catch (const endhost::cli::UsageError& e) {
    std::cerr << "endhost: " << e.what() << "\nRun '" << command_path(&app) << " --help' for usage.\n";
    return 2;
  }
  try {
    return run ? run() : 2;
  } catch (const endhost::cli::UsageError& e) {
    std::cerr << "endhost: " << e.what() << "\nRun '" << command_path(&app) << " --help' for usage.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "endhost: " << e.what() << "\n";
    return 1;
  }
}
