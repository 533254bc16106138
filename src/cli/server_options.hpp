// The options every `endhost <service> serve` shares, and the start-up steps that use them: listen addresses,
// threads, logging, tracing, limits and the grace period. Keeps the services' command files to their own
// part.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/log.hpp"
#include "core/service_host.hpp"
#include "core/transcript.hpp"

namespace endhost::core {
class TcpServer;
class TlsServerContext;
}  // namespace endhost::core

namespace endhost::cli {

struct ServerOptions {
  std::vector<std::string> listen;
  std::string default_listen;  // used when --listen is not given
  std::size_t threads = 0;
  bool trace = false;
  std::string log_format = "text";
  std::string log_level = "info";
  double grace_seconds = 10;
  std::size_t max_connections = 10'000;
  // --tls-cert/--tls-key, in pairs: the first pair is the default certificate, the others chosen by SNI.
  std::vector<std::string> tls_cert;
  std::vector<std::string> tls_key;
  std::string user;  // --user: who to become after binding (empty: see core::user_to_become)
};

// Adds --listen (repeatable; `default_listen` when none is given), --threads, --trace, --log-format,
// --log-level, --grace, --user and, for connection-oriented services, --max-connections and
// --tls-cert/--tls-key.
void add_server_options(CLI::App& cmd, ServerOptions& options, const std::string& default_listen,
                        bool connection_limits = true);

// The running pieces built from ServerOptions: logger, host, and the trace sink (stdout) when --trace is on.
struct ServerRuntime {
  std::unique_ptr<core::Logger> log;
  std::unique_ptr<core::StreamTranscriptSink> trace_sink;
  std::unique_ptr<core::ServiceHost> host;
  // The certificates of --tls-cert/--tls-key (null: plain TCP), reloaded on SIGHUP.
  std::shared_ptr<core::TlsServerContext> tls;

  core::Transcript transcript(const std::string& service) const {
    return core::Transcript(trace_sink.get(), service);
  }
  // Puts the listener on TLS when certificates were given; `alpn`: the protocols the service speaks.
  void secure(core::TcpServer& server, std::vector<std::string> alpn) const;
};
ServerRuntime make_runtime(const ServerOptions& options);

// --listen values as socket addresses. IP literals, `localhost` (127.0.0.1) and `*` (all IPv4 addresses,
// only when asked for) are accepted; a port-less value gets `default_port`. Throws UsageError.
std::vector<asio::ip::tcp::endpoint> tcp_listen_endpoints(const ServerOptions& options,
                                                          std::uint16_t default_port);
std::vector<asio::ip::udp::endpoint> udp_listen_endpoints(const ServerOptions& options,
                                                          std::uint16_t default_port);

// Seconds from the command line (fractions allowed) as a duration; throws UsageError when not positive.
std::chrono::microseconds seconds_option(double seconds, const std::string& option_name);

}  // namespace endhost::cli

namespace endhost::cli {

// After every listener is bound and before the loops run (so before any request is read): becomes --user,
// or `nobody` when running as root with a port below 1024 bound (`lowest_port`), giving `writable` (state
// and cache directories, log files) to that user first. Logs the change; throws RuntimeError when it fails.
void drop_privileges(const ServerOptions& options, core::Logger& log, std::uint16_t lowest_port,
                     const std::vector<std::string>& writable = {});

}  // namespace endhost::cli
