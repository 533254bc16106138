// `endhost web serve`: the HTTP/1.1 web server (static files from one or more roots; docs/internals/web.md).

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/binder.hpp"
#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "core/tcp_server.hpp"
#include "http/fields.hpp"
#include "http/server/access_log.hpp"
#include "http/server/admin_server.hpp"
#include "http/server/web_options.hpp"
#include "http/server/web_server.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kWebPort = 8080;

struct ServeOptions {
  ServerOptions server;
  web::WebOptions web;  // checked and opened by the web library (web_options.hpp), as the lab's are
  std::string access_log;
  std::string admin;
};

asio::ip::tcp::endpoint admin_endpoint(const std::string& spec) {
  auto hp = core::parse_host_port(spec);
  if (!hp) throw UsageError("--admin: " + hp.error() + " (expected ADDR:PORT, e.g. 127.0.0.1:9100)");
  boost::system::error_code ec;
  const auto addr =
      hp->host == "localhost" ? asio::ip::make_address("127.0.0.1") : asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError("--admin " + spec + ": '" + hp->host + "' is not an IP address");
  return {addr, hp->port};
}

web::WebConfig make_config(const web::WebOptions& o) {
  auto config = web::make_web_config(o);
  if (!config) {
    if (config.error().usage) throw UsageError(config.error().message);
    throw RuntimeError(config.error().message);
  }
  return std::move(*config);
}

int serve(const ServeOptions& o) {
  web::WebConfig config = make_config(o.web);
  auto rt = make_runtime(o.server);
  if (!o.access_log.empty()) {
    config.access_log = std::make_shared<web::AccessLog>(o.access_log, rt.host->loops().size());
    if (auto ok = config.access_log->open(); !ok) throw RuntimeError(ok.error());
  }
  config.transcript = rt.transcript("web");
  for (const auto& site : config.sites) {
    rt.log->info("serving",
                 {{"service", "web"},
                  {"host", site.host.empty() ? std::string_view("*") : std::string_view(site.host)},
                  {"root", site.path}});
  }
  web::WebServer server(std::move(config), rt.host->loops(), rt.host->metrics(), *rt.log);
  rt.host->on_reload([&server] { server.reopen_logs(); });
  core::TcpServer tcp(rt.host->loops(), *rt.log, server.tcp_options(o.server.max_connections));
  const auto endpoints = tcp_listen_endpoints(o.server, kWebPort);
  if (o.web.writable) {
    for (const auto& ep : endpoints) {
      if (!ep.address().is_loopback()) {
        // Basic sends the password in the clear on every request (RFC 7617 §4).
        rt.log->warn(
            "--writable on a non-loopback address without TLS: Basic auth passwords cross the network "
            "in clear text; listen on 127.0.0.1 behind a TLS proxy instead",
            {{"service", "web"}, {"address", core::endpoint_text(ep)}});
      }
    }
  }
  rt.secure(tcp, {"http/1.1"});
  std::uint16_t lowest_port = bind_tcp(tcp, endpoints, *rt.log, "web");
  rt.host->add(tcp);
  std::unique_ptr<web::AdminListener> admin;
  if (!o.admin.empty()) {
    auto& metrics = rt.host->metrics();
    admin = std::make_unique<web::AdminListener>(*rt.host, "web-admin",
                                                 [&metrics] { return metrics.render_prometheus(); });
    core::Binder binder(*rt.log, "web-admin");
    const auto admin_endpoints = std::vector{admin_endpoint(o.admin)};
    rt.secure(admin->server(), {"http/1.1"});
    if (auto ok = admin->bind(binder, admin_endpoints); !ok) throw RuntimeError(ok.error());
    lowest_port = std::min(lowest_port, binder.lowest_port());
  }
  drop_privileges(o.server, *rt.log, lowest_port, {o.web.state_dir, o.access_log});
  if (admin) admin->start();
  tcp.start();
  return rt.host->run();
}

template <class T>
CLI::Option* limit_option(CLI::App& cmd, const std::string& name, T& value, const std::string& help, T low,
                          T high) {
  return cmd.add_option(name, value, help)->check(CLI::Range(low, high))->capture_default_str();
}

}  // namespace

void add_web_commands(CLI::App& root, RunFn& run) {
  auto* web = root.add_subcommand("web", "HTTP/1.1 web server for static files");
  web->require_subcommand(1);

  auto o = std::make_shared<ServeOptions>();
  auto* cmd = web->add_subcommand("serve", "Serve a directory over HTTP/1.0 and HTTP/1.1");
  cmd->add_option("--root,-r", o->web.root, "Directory to serve (for any Host without its own --vhost)")
      ->type_name("DIR");
  cmd->add_option("--vhost", o->web.vhosts, "Serve DIR for requests whose Host is NAME; repeatable")
      ->type_name("NAME=DIR");
  cmd->add_flag("--no-listing", o->web.no_listing, "Answer 403 for directories without index.html");
  cmd->add_flag("--follow-symlinks", o->web.follow_symlinks, "Follow symlinks that lead outside the root");
  cmd->add_flag("--show-dotfiles", o->web.show_dotfiles, "Serve and list names that start with '.'");
  cmd->add_flag("--compress", o->web.compress,
                "Gzip compressible files on the fly when the client accepts it");
  add_server_options(*cmd, o->server, "127.0.0.1:8080");
  cmd->add_option("--header-timeout", o->web.header_timeout,
                  "Seconds a client has to send a whole request head")
      ->capture_default_str();
  cmd->add_option("--body-timeout", o->web.body_timeout, "Seconds of silence allowed inside a request body")
      ->capture_default_str();
  cmd->add_option("--keepalive-timeout", o->web.keepalive_timeout, "Seconds an idle connection is kept open")
      ->capture_default_str();
  cmd->add_option("--send-timeout", o->web.send_timeout, "Seconds a client may stall reading a response")
      ->capture_default_str();
  limit_option(*cmd, "--max-requests", o->web.max_requests, "Requests per connection before it is closed",
               std::size_t{1}, std::size_t{100'000'000});
  limit_option(*cmd, "--max-line", o->web.max_line, "Longest request line, in bytes (longer: 414)",
               std::size_t{64}, std::size_t{1} << 20);
  limit_option(*cmd, "--max-header-bytes", o->web.max_header_bytes,
               "Largest request head, in bytes (larger: 431)", std::size_t{256}, std::size_t{1} << 20);
  limit_option(*cmd, "--max-fields", o->web.max_fields, "Most header fields in a request (more: 431)",
               std::size_t{4}, std::size_t{10'000});
  limit_option(*cmd, "--max-body", o->web.max_body,
               "Largest request body read for methods that do not use one, in bytes (larger: 413)",
               std::size_t{0}, std::size_t{1} << 30);
  limit_option(*cmd, "--max-ranges", o->web.max_ranges,
               "Most ranges honoured in one Range field (more: ignored)", std::size_t{1}, std::size_t{1000});
  cmd->add_flag("--writable", o->web.writable, "Accept PUT, DELETE and multipart POST from users of --auth");
  cmd->add_option("--auth", o->web.auth_file, "htpasswd file (bcrypt or argon2 hashes) of who may write")
      ->type_name("FILE");
  limit_option(*cmd, "--max-upload", o->web.max_upload, "Largest PUT body or form, in bytes (larger: 413)",
               std::uint64_t{0}, std::uint64_t{1} << 40);
  cmd->add_option(
         "--access-log", o->access_log,
         "Log each request in Combined Log Format to FILE ('-': standard output); SIGHUP re-opens it")
      ->type_name("FILE");
  cmd->add_option("--admin", o->admin,
                  "Serve Prometheus metrics at http://ADDR:PORT/metrics and health at /health")
      ->type_name("ADDR:PORT");
  cmd->add_flag("--sessions", o->web.sessions,
                "Give each visitor a cookie and count visits in --state DIR; GET /_session shows them");
  cmd->add_option("--state", o->web.state_dir, "Directory for the server's state (the visitor database)")
      ->type_name("DIR");
  limit_option(*cmd, "--max-visitors", o->web.max_visitors,
               "Visitors remembered; the least recent are forgotten", std::uint64_t{1},
               std::uint64_t{1} << 40);
  limit_option(*cmd, "--max-upload-files", o->web.max_upload_files, "Most parts in one multipart form",
               std::size_t{1}, std::size_t{10'000});
  cmd->footer(
      "Examples:\n"
      "  endhost web serve --root ./site\n"
      "  endhost web serve --root ./site --listen 127.0.0.1:8080 --threads 2 --trace\n"
      "  endhost web serve --vhost a.test=./a --vhost b.test=./b --root ./default\n"
      "  htpasswd -B -c users.htpasswd alice && endhost web serve --root ./site --writable --auth "
      "users.htpasswd");
  cmd->callback([o, &run] { run = [o] { return serve(*o); }; });
}

}  // namespace endhost::cli
