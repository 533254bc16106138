// `endhost ftp client HOST[:PORT]`: the textbook's interactive FTP client (BSD ftp(1)'s commands), or with
// commands given (`-c 'cd pub; get a.txt'`) a script runner that stops at the first failure and exits 1,
// for shell scripts. Commands:
//   ls [DIR] (NLST), dir [DIR] (LIST), cd DIR, cdup, pwd, get REMOTE [LOCAL], put LOCAL [REMOTE],
//   mget PATTERN… (NLST, names matched by fnmatch), mput PATTERN… (local glob), rename FROM TO, delete F,
//   mkdir D, rmdir D, size F, passive, active, binary, ascii, quote LINE, help, quit (bye, exit).
// Words are split as a shell does for the simple cases (command_line.hpp). Interactive mode prints the
// server's final reply to each command, as ftp(1) does; --trace shows every line on both connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "core/name_resolver.hpp"
#include "core/tls_client.hpp"

namespace endhost::ftp::client {

struct InteractiveOptions {
  std::string host;
  std::uint16_t port = 21;
  std::optional<std::string> user;      // none: anonymous
  std::string password;                 // asked for by the caller when a user is given without one
  std::optional<std::string> commands;  // -c: run these and exit
  bool passive = true;
  bool trace = false;
  std::shared_ptr<const core::TlsClientContext> tls;  // --ftp-ssl
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};
  std::shared_ptr<const core::NameResolver> resolver;  // null: the system's
};

// Reads commands from `in` (interactive, with a prompt when `in` is a terminal) or options.commands.
// Returns 0, or 1 when a -c command failed or the login failed.
int run_interactive(const InteractiveOptions& options, std::istream& in, std::ostream& out,
                    std::ostream& err);

}  // namespace endhost::ftp::client
