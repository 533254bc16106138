#include "cli/server_options.hpp"

#include <unistd.h>

#include <cstdio>

#include "cli/cli_error.hpp"
#include "core/binder.hpp"
#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "core/privileges.hpp"
#include "core/tcp_server.hpp"
#include "core/udp_server.hpp"

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
  return rt;
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

std::uint16_t bind_tcp(core::TcpServer& server, const std::vector<asio::ip::tcp::endpoint>& endpoints,
                       core::Logger& log, const std::string& service) {
  core::Binder binder(log, service);
  if (auto ok = binder.tcp(server, endpoints); !ok) throw RuntimeError(ok.error());
  return binder.lowest_port();
}

std::uint16_t bind_udp(core::UdpServer& server, const std::vector<asio::ip::udp::endpoint>& endpoints,
                       core::Logger& log, const std::string& service) {
  core::Binder binder(log, service);
  if (auto ok = binder.udp(server, endpoints); !ok) throw RuntimeError(ok.error());
  return binder.lowest_port();
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
