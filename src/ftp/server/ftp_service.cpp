#include "ftp/server/ftp_service.hpp"

#include <utility>

namespace endhost::ftp::server {

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "ftp";
  d.summary = "FTP server (RFC 959, AUTH TLS, EPSV, MLSD) with users confined to their homes";
  d.serve_help = "Serve a directory over FTP: one control connection, a data connection per transfer";
  d.examples =
      "  endhost ftp serve --root ./pub --anonymous --trace\n"
      "  endhost ftp adduser --users users.txt alice && mkdir -p ./srv/alice && \\\n"
      "    endhost ftp serve --root ./srv --users users.txt --writable --listen 127.0.0.1:2121\n"
      "  endhost ftp serve --root ./srv --users users.txt --tls-cert c.pem --tls-key k.pem --require-tls\n"
      "  curl ftp://127.0.0.1:2121/ --user alice:secret";
  d.port = kFtpPort;
  d.serve_port = kFtpServePort;
  d.transports = {true, false};
  core::use_settings(
      d, ftp_settings(),
      [](FtpOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto made = FtpService::create(options, env);
        if (!made) return Unexpected(made.error());
        return std::unique_ptr<core::Service>(std::move(*made));
      });
  registry.add(std::move(d));
}

Expected<std::unique_ptr<FtpService>, core::ServiceError> FtpService::create(const FtpOptions& options,
                                                                             core::ServiceEnv& env) {
  auto config = make_ftp_config(options);
  if (!config) return Unexpected(config.error());
  if (config->require_tls && !env.tls)
    return Unexpected(core::ServiceError{"--require-tls needs --tls-cert and --tls-key", true});
  config->socket_place = env.socket_place;
  std::shared_ptr<const auth::UserDb> users;
  if (!config->users_file.empty()) {
    auto db = auth::UserDb::load(config->users_file);
    if (!db) return Unexpected(core::ServiceError{db.error(), false});
    users = std::make_shared<const auth::UserDb>(std::move(*db));
  }
  auto root = ConfinedFs::open(config->root, "");
  if (!root) return Unexpected(core::ServiceError{root.error(), false});
  auto server = std::make_unique<FtpServer>(std::move(*config), std::move(*root), std::move(users),
                                            env.metrics, env.log, env.transcript);
  // AUTH TLS upgrades the control connection and PROT P the data connections (RFC 4217): the certificate
  // is used in-band, never on the listener (that would be implicit FTPS on port 990, which RFC 4217 does
  // not define).
  server->set_tls(env.tls);
  return std::unique_ptr<FtpService>(new FtpService(options, std::move(server), env));
}

FtpService::FtpService(FtpOptions options, std::unique_ptr<FtpServer> server, core::ServiceEnv& env)
    : options_(std::move(options)),
      listen_(env.tcp_listen),
      server_(std::move(server)),
      tcp_(env.loops, env.log,
           core::TcpServerOptions{"ftp", env.max_connections,
                                  [s = server_.get()](core::Connection& c) { return serve_ftp(c, *s); },
                                  [](core::Connection& c) { return refuse_ftp(c); }}),
      log_(env.log) {
  drain_with(tcp_);
  log_.info("serving", {{"service", "ftp"}, {"root", server_->config().root.string()}});
  if (server_->tls() || options_.users.empty()) return;
  for (const auto& ep : listen_) {
    if (ep.address().is_loopback()) continue;
    log_.warn(
        "users log in on a non-loopback address without TLS: passwords cross the network in clear "
        "text; give --tls-cert/--tls-key (and --require-tls)",
        {{"service", "ftp"}, {"address", core::endpoint_text(ep)}});
  }
}

Expected<void, std::string> FtpService::bind(core::Binder& binder) {
  return binder.tcp(tcp_, listen_);
}

void FtpService::start() {
  tcp_.start();
}

void FtpService::reload() {
  auto ok = server_->reload_users();
  if (!ok) {
    log_.error("users file not reloaded; the previous users stay",
               {{"service", "ftp"}, {"error", ok.error()}});
  } else if (!server_->config().users_file.empty()) {
    log_.info("users file reloaded", {{"service", "ftp"}, {"file", server_->config().users_file.string()}});
  }
}

std::vector<core::NamedCount> FtpService::counters() const {
  const FtpCounters& c = server_->counters();
  return {{"commands", c.commands->value()},
          {"sessions", c.sessions->value()},
          {"logins", c.logins->value()},
          {"login failures", c.login_failures->value()},
          {"transfers", c.transfers->value()},
          {"bytes sent", c.bytes_sent->value()},
          {"bytes received", c.bytes_received->value()},
          {"hijack attempts", c.hijack_attempts->value()}};
}

std::vector<std::string> FtpService::writable_paths() const {
  // Nothing: the tree under --root is the operator's, and handing it to --user would chown every file in it
  // (a root of /home would change every user's files). As vsftpd, after --user the server writes where that
  // account may; the operator gives it the upload directories.
  return {};
}

}  // namespace endhost::ftp::server
