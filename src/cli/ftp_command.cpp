// `endhost ftp client HOST[:PORT]` (interactive, or -c 'cmd; cmd' for scripts: ftp/client/interactive.hpp)
// and `endhost ftp adduser`. `ftp serve` comes from the service registry when the FTP service is built in;
// service_command() finds that `endhost ftp` or adds it, so this file works with and without it.

#include <unistd.h>

#include <iostream>
#include <memory>

#include "auth/user_db.hpp"
#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/resolver_option.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/host_port.hpp"
#include "core/system_random.hpp"
#include "ftp/client/interactive.hpp"

namespace endhost::cli {

namespace {

struct FtpClientArgs {
  std::string server;
  std::string user;
  std::string password;
  std::string commands;
  bool active = false;
  bool trace = false;
  bool tls = false;
  bool insecure = false;
  std::string cacert;
  double timeout = 60;
  double connect_timeout = 10;
  std::string dns_server;
};

int ftp_client(const FtpClientArgs& a, bool has_user, bool has_password, bool has_commands) {
  auto hp = core::parse_host_port(a.server, 21);
  if (!hp) throw UsageError(hp.error());
  ftp::client::InteractiveOptions o;
  o.host = hp->host;
  o.port = hp->port;
  if (has_user) {
    o.user = a.user;
    o.password = has_password ? a.password : read_password("Password for " + a.user + "@" + a.server + ":");
  }
  if (has_commands) o.commands = a.commands;
  o.passive = !a.active;
  o.trace = a.trace;
  o.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      seconds_option(a.connect_timeout, "--connect-timeout"));
  o.read_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(a.timeout, "--timeout"));
  if (a.tls) {
    auto tls = core::TlsClientContext::make(core::TlsClientOptions{a.insecure, a.cacert});
    if (!tls) throw RuntimeError(tls.error());
    o.tls = std::move(*tls);
  }
  o.resolver = make_name_resolver(a.dns_server);
  return ftp::client::run_interactive(o, std::cin, std::cout, std::cerr);
}

// The password from standard input when it is not a terminal (scripts: `echo pw | endhost ftp adduser`),
// otherwise asked for twice without echo.
int add_user(const std::string& file, const std::string& name) {
  if (auto why = auth::invalid_user_name(name)) throw UsageError(*why);
  std::string password;
  if (!::isatty(0)) {
    if (!std::getline(std::cin, password)) throw UsageError("no password on standard input");
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = read_password("Password for " + name + ": ");
    if (read_password("Again: ") != password) throw RuntimeError("the passwords differ; nothing was changed");
  }
  if (password.empty()) throw UsageError("the password is empty");
  core::SystemRandom random;
  auto added = auth::add_user(file, name, password, random);
  if (!added) throw RuntimeError(added.error());
  std::cerr << "added " << name << " to " << file << "\n";
  return 0;
}

}  // namespace

void add_ftp_commands(CLI::App& root, RunFn& run) {
  auto* ftp = &service_command(root, "ftp", "FTP: a server with users and anonymous areas, and a client");

  auto a = std::make_shared<FtpClientArgs>();
  auto* client = ftp->add_subcommand(
      "client", "Interactive FTP client (ls, cd, get, put, mget, mput…), or -c for scripts");
  client->add_option("server", a->server, "The FTP server, HOST[:PORT] (port 21 by default)")
      ->required()
      ->type_name("HOST[:PORT]");
  auto* user =
      client->add_option("--user", a->user, "Log in as USER (default: anonymous)")->type_name("USER");
  auto* password =
      client
          ->add_option("--password", a->password,
                       "The password (without it, asked for on the terminal when --user is given)")
          ->type_name("PASSWORD");
  auto* commands = client
                       ->add_option("-c,--commands", a->commands,
                                    "Run these commands (separated by ';' or new lines) and exit; the first "
                                    "failure exits 1")
                       ->type_name("'CMD; CMD'");
  client->add_flag("--active", a->active,
                   "Active data connections (EPRT/PORT) instead of passive (EPSV/PASV)");
  client->add_flag("--trace", a->trace, "Print both connections: C: and S: lines, data: byte counts");
  client->add_flag("--ftp-ssl", a->tls, "AUTH TLS, PBSZ 0 and PROT P (RFC 4217): control and data over TLS");
  client->add_flag("-k,--insecure", a->insecure, "With --ftp-ssl: do not verify the server's certificate");
  client->add_option("--cacert", a->cacert, "With --ftp-ssl: trust the CA certificates in this PEM file");
  client->add_option("--timeout", a->timeout, "Seconds to wait for each reply and each data read")
      ->capture_default_str();
  client->add_option("--connect-timeout", a->connect_timeout, "Seconds to connect")->capture_default_str();
  client->add_option("--dns-servers", a->dns_server, kDnsServersHelp)->type_name("ADDR[:PORT]");
  client->footer(
      "Commands: ls [DIR], dir [DIR], cd DIR, cdup, pwd, get REMOTE [LOCAL], put LOCAL [REMOTE], mget "
      "PATTERN...,\n"
      "mput PATTERN..., rename FROM TO, delete FILE, mkdir DIR, rmdir DIR, size FILE, passive, active, "
      "binary,\n"
      "ascii, quote LINE, help, quit.\n"
      "Examples:\n"
      "  endhost ftp client 127.0.0.1:2121\n"
      "  endhost ftp client 127.0.0.1:2121 -c 'cd pub; mget *.txt'\n"
      "  endhost ftp client 127.0.0.1:2121 --user alice --password secret -c 'put report.pdf' --trace");
  client->callback([a, user, password, commands, &run] {
    const bool has_user = user->count() > 0, has_password = password->count() > 0;
    const bool has_commands = commands->count() > 0;
    if (has_password && !has_user) throw UsageError("--password needs --user");
    run = [a, has_user, has_password, has_commands] {
      return ftp_client(*a, has_user, has_password, has_commands);
    };
  });

  auto users = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto* adduser =
      ftp->add_subcommand("adduser", "Add a user to a users file (argon2id), for ftp serve --users");
  adduser->add_option("--users", *users, "The users file (created 0600 when missing)")
      ->required()
      ->type_name("FILE");
  adduser->add_option("name", *name, "The user's name")->required()->type_name("NAME");
  adduser->footer(
      "The password comes from standard input when it is not a terminal, otherwise it is asked for twice.\n"
      "Examples:\n"
      "  endhost ftp adduser --users users.txt alice\n"
      "  printf 'secret\\n' | endhost ftp adduser --users users.txt bob");
  adduser->callback([users, name, &run] { run = [users, name] { return add_user(*users, *name); }; });
}

}  // namespace endhost::cli
