#include "cli/server_options.hpp"

#include <unistd.h>

#include <cstdio>

#include "cli/cli_error.hpp"
#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "core/privileges.hpp"
#include "core/tcp_server.hpp"
#include "core/tls_server_context.hpp"

namespace endhost::cli {

void add_server_options(CLI::App& cmd, ServerOptions& o, const std::string& default_listen,
                        bool connection_limits) {
  o.listen.clear();
  cmd.add_option(
         "--listen,-l", o.listen,
         "Address to listen on, ADDR:PORT or [IPv6]:PORT; repeatable (default " + default_listen + ")")
      ->type_name("ADDR:PORT");
  cmd.add_option("--threads", o.threads, "Event-loop threads (default: one per core)")
      ->check(CLI::Range(0, 1024));
  cmd.add_flag("--trace", o.trace,
               "Print every protocol exchange, textbook style (C: / S: lines), to stdout");
  cmd.add_option("--log-format", o.log_format, "Log lines as readable text or JSON")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd.add_option("--log-level", o.log_level, "Least severe level logged")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cmd.add_option("--grace", o.grace_seconds, "Seconds in-flight work may take to finish at shutdown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--user", o.user,
                 "User to become once the listeners are bound (default when started as root with a port "
                 "below 1024: nobody)")
      ->type_name("NAME");
  if (connection_limits) {
    cmd.add_option("--max-connections", o.max_connections,
                   "Connections per listening address; more are refused")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->capture_default_str();
    cmd.add_option("--tls-cert", o.tls_cert,
                   "Serve TLS with this PEM certificate chain (leaf first); repeatable with --tls-key, the "
                   "first pair is the default and the others are chosen by SNI; SIGHUP reloads them")
        ->type_name("FILE");
    cmd.add_option("--tls-key", o.tls_key, "The PEM private key of the --tls-cert at the same position")
        ->type_name("FILE");
  }
  o.default_listen = default_listen;
}

ServerRuntime make_runtime(const ServerOptions& o) {
  ServerRuntime rt;
  auto level = o.log_level == "debug"   ? core::LogLevel::Debug
               : o.log_level == "warn"  ? core::LogLevel::Warn
               : o.log_level == "error" ? core::LogLevel::Error
                                        : core::LogLevel::Info;
  rt.log = std::make_unique<core::Logger>(
      o.log_format == "json" ? core::LogFormat::Json : core::LogFormat::Text, level, stderr);
  if (o.trace) rt.trace_sink = std::make_unique<core::StreamTranscriptSink>(stdout);
  core::ServiceHostOptions host_options;
  host_options.threads = o.threads;
  host_options.grace = std::chrono::milliseconds(static_cast<std::int64_t>(o.grace_seconds * 1000));
  rt.host = std::make_unique<core::ServiceHost>(host_options, *rt.log);
  if (o.tls_cert.size() != o.tls_key.size()) {
    throw UsageError("--tls-cert and --tls-key go in pairs: " + std::to_string(o.tls_cert.size()) +
                     " certificate(s) but " + std::to_string(o.tls_key.size()) + " key(s)");
  }
  if (!o.tls_cert.empty()) {
    core::TlsServerConfig tls;
    for (std::size_t i = 0; i < o.tls_cert.size(); ++i)
      tls.certificates.push_back({o.tls_cert[i], o.tls_key[i]});
    auto loaded = core::TlsServerContext::load(std::move(tls));
    if (!loaded) throw RuntimeError(loaded.error());
    rt.tls = std::move(*loaded);
    // SIGHUP: new handshakes get the re-read certificates; open connections keep theirs.
    rt.host->on_reload([tls = rt.tls, log = rt.log.get()] {
      if (auto ok = tls->reload(); !ok) {
        log->error("TLS certificates not reloaded, still serving the previous ones", {{"error", ok.error()}});
      } else {
        log->info("TLS certificates reloaded",
                  {{"certificates", static_cast<std::int64_t>(tls->config().certificates.size())}});
      }
    });
  }
  return rt;
}

void ServerRuntime::secure(core::TcpServer& server, std::vector<std::string> alpn) const {
  if (tls) server.set_tls(tls, std::move(alpn));
}

namespace {

asio::ip::address listen_address(const std::string& host, const std::string& spec) {
  if (host == "localhost") return asio::ip::make_address("127.0.0.1");
  if (host == "*") return asio::ip::address_v4::any();
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) {
    throw UsageError(
        "--listen " + spec + ": '" + host +
        "' is not an IP address (listen on an address of this machine, such as 127.0.0.1 or [::1])");
  }
  return addr;
}

template <class Endpoint>
std::vector<Endpoint> listen_endpoints(const ServerOptions& o, std::uint16_t default_port) {
  std::vector<Endpoint> out;
  std::vector<std::string> specs = o.listen;
  if (specs.empty()) specs.push_back(o.default_listen);
  for (const auto& spec : specs) {
    auto hp = core::parse_host_port(spec, default_port);
    if (!hp) throw UsageError("--listen: " + hp.error());
    out.emplace_back(listen_address(hp->host, spec), hp->port);
  }
  return out;
}

}  // namespace

std::vector<asio::ip::tcp::endpoint> tcp_listen_endpoints(const ServerOptions& o,
                                                          std::uint16_t default_port) {
  return listen_endpoints<asio::ip::tcp::endpoint>(o, default_port);
}

std::vector<asio::ip::udp::endpoint> udp_listen_endpoints(const ServerOptions& o,
                                                          std::uint16_t default_port) {
  return listen_endpoints<asio::ip::udp::endpoint>(o, default_port);
}

std::chrono::microseconds seconds_option(double seconds, const std::string& name) {
  if (!(seconds > 0) || seconds > 1e6) throw UsageError(name + " must be a positive number of seconds");
  return std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6));
}

void drop_privileges(const ServerOptions& o, core::Logger& log, std::uint16_t lowest_port,
                     const std::vector<std::string>& writable) {
  const std::string user = core::user_to_become(o.user, ::geteuid() == 0, lowest_port);
  if (user.empty()) return;
  if (auto ok = core::drop_privileges(user, writable); !ok) throw RuntimeError(ok.error());
  log.info("privileges dropped", {{"user", user},
                                  {"uid", static_cast<std::int64_t>(::getuid())},
                                  {"gid", static_cast<std::int64_t>(::getgid())}});
}

}  // namespace endhost::cli
