// `endhost lab`: a small Internet inside one process, each host on its own loopback address. This first
// version composes the services that exist so far (the echo and ping hosts of the socket-programming chapter)
// and prints a map of what listens where; the DNS hierarchy, web origins, cache and dashboard join it as
// their services land.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace endhost::lab {

struct LabOptions {
  bool trace = false;
  core::LogFormat log_format = core::LogFormat::Text;
  std::size_t threads = 0;
  std::uint16_t port = 12000;  // the port each socket-programming service uses on its host
};

struct LabService {
  std::string name;      // "echo", "ping"
  std::string protocol;  // "tcp", "udp"
  std::uint16_t port = 0;
  std::string note;  // "30% loss"
};

struct LabHost {
  std::string name;
  std::string address;
  std::vector<LabService> services;
};

// The hosts of the default lab, before anything is started.
std::vector<LabHost> default_hosts(const LabOptions& options);

// The printed map: one line per host, then the commands to try.
std::string format_map(const std::vector<LabHost>& hosts);

// Starts every host, prints the map to `out`, and runs until SIGINT/SIGTERM. Returns the exit code; throws
// std::runtime_error (with the one-line reason) when a host cannot start.
int run_lab(const LabOptions& options, std::ostream& out);

}  // namespace endhost::lab
