// The socket-programming chapter's clients: send a line (TCP) or a datagram (UDP) to an echo server and print
// the upper-cased answer. With no message, every line of standard input is sent in turn.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/host_port.hpp"

namespace endhost::echo {

struct EchoClientOptions {
  bool udp = false;
  core::HostPort server;
  std::optional<std::string> message;
  std::chrono::milliseconds timeout{5'000};  // connect, and each reply
};

// Returns the process exit code: 0 when every message was answered, 1 otherwise (the reason goes to `err`).
int run_echo_client(const EchoClientOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace endhost::echo
