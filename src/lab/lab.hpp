// `endhost lab`: a small Internet inside one process. The configuration (TOML, or the embedded default)
// becomes an address plan, zone files and site files under the state directory; then every host's services
// are built from their own libraries inside one ServiceHost, each on the host's loopback address, each
// writing its transcript into an in-memory ring of its own that the dashboard reads. Ctrl-C drains them all.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "core/expected.hpp"
#include "core/log.hpp"
#include "lab/address_plan.hpp"
#include "lab/config.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

struct LabOptions {
  std::string config_file;  // empty: the embedded default
  std::string state_dir;    // empty: a temporary directory
  bool keep = false;        // keep a temporary state directory on exit
  // Overrides of the configuration's [lab] table (command-line options).
  std::optional<std::string> net;
  std::optional<PortMode> ports;
  std::optional<NetworkMode> network;
  std::optional<std::uint16_t> port_base;
  std::optional<std::size_t> threads;
  bool trace = false;  // also print every transcript line to stdout
  // Who to become once every service is bound (--user); empty: `nobody` when started as root with a port
  // below 1024 bound (the real ports), else stay.
  std::string user;
  bool handle_signals = true;   // false when an experiment runs a lab of its own
  bool publish_current = true;  // leave the pointer that `endhost lab experiment` looks for
  std::string log_file;         // where the log goes, for the map's `log:` line (empty: not a file)
};

// How `endhost lab` logs: to STATE/lab.log, and after the map to stderr (with --verbose, everything).
struct LabLogOptions {
  core::LogFormat format = core::LogFormat::Text;
  core::LogLevel level = core::LogLevel::Info;
  bool verbose = false;
};

// The configuration the options select, with their overrides applied, validated.
Expected<LabConfig, std::string> load_lab_config(const LabOptions& options);

class Lab {
 public:
  // Plans, writes the state directory, builds and binds every service. The error is one line.
  static Expected<std::unique_ptr<Lab>, std::string> create(const LabOptions& options, core::Logger& log);
  // The same with the configuration loaded (load_lab_config) and the state directory opened already.
  static Expected<std::unique_ptr<Lab>, std::string> create(const LabOptions& options, LabConfig config,
                                                            StateDir state, core::Logger& log);
  ~Lab();

  const std::string& map() const;        // the printed map
  const std::string& state_dir() const;  // where lab.json is
  // Starts every service and runs until SIGINT/SIGTERM or request_shutdown(); returns the exit code.
  int run();
  // Thread-safe.
  void request_shutdown();

  struct Impl;

 private:
  explicit Lab(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `endhost lab`: creates the lab, prints the map to `out` (first: the log goes to STATE/lab.log), runs.
// Throws std::runtime_error with the one-line reason when the lab cannot start.
int run_lab(const LabOptions& options, const LabLogOptions& logging, std::ostream& out);

}  // namespace endhost::lab
