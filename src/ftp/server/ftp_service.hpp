// `endhost ftp serve` and a lab host's `ftp = { … }` as one core::Service: the options checked once
// (make_ftp_config), the users file read, the control listener bound through the Binder and drained by the
// host, TLS (--tls-cert/--tls-key) offered through AUTH TLS (RFC 4217) rather than on the listener, SIGHUP
// re-reading the users file and the certificates, and the counters for the dashboard.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/service.hpp"
#include "core/service_registry.hpp"
#include "core/tcp_server.hpp"
#include "ftp/server/ftp_server.hpp"

namespace endhost::ftp::server {

// Adds "ftp" to the registry: `endhost ftp serve` and a lab host's `ftp = { … }`.
void register_service(core::ServiceRegistry& registry);

class FtpService final : public core::Service {
 public:
  static Expected<std::unique_ptr<FtpService>, core::ServiceError> create(const FtpOptions& options,
                                                                          core::ServiceEnv& env);

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  void reload() override;
  std::vector<core::NamedCount> counters() const override;
  std::vector<std::string> writable_paths() const override;

 private:
  FtpService(FtpOptions options, std::unique_ptr<FtpServer> server, core::ServiceEnv& env);

  FtpOptions options_;
  std::vector<asio::ip::tcp::endpoint> listen_;
  std::unique_ptr<FtpServer> server_;
  core::TcpServer tcp_;
  core::Logger& log_;
};

}  // namespace endhost::ftp::server
