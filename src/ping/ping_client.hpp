// The UDP pinger client: sends `Ping <seq> <time>` once per interval, prints each reply with its round-trip
// time or "Request timed out", and closes with ping(8)'s statistics. In heartbeat mode it sends
// `Heartbeat <seq> <time>` instead and expects no replies. Ctrl-C (SIGINT) ends it early with the same
// statistics, as ping(8) does; a count of 0 means "until interrupted".
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>

#include "core/host_port.hpp"

namespace endhost::ping {

struct PingClientOptions {
  core::HostPort server;
  std::size_t count = 10;  // 0: until SIGINT
  bool quiet = false;      // -q: only the first line and the statistics
  std::chrono::microseconds interval{1'000'000};
  std::chrono::microseconds timeout{1'000'000};
  bool heartbeat = false;
};

// Exit code: 0 when at least one reply came back (heartbeat mode: when every heartbeat was sent), else 1.
int run_ping_client(const PingClientOptions& options, std::ostream& out, std::ostream& err);

}  // namespace endhost::ping
