// `endhost web serve`: the HTTP/1.1 web server (static files from one or more roots; docs/internals/web.md).

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/server_options.hpp"
#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "core/tcp_server.hpp"
#include "http/fields.hpp"
#include "http/server/access_log.hpp"
#include "http/server/admin_server.hpp"
#include "http/server/basic_auth.hpp"
#include "http/server/web_server.hpp"

namespace endhost::cli {

namespace {

constexpr std::uint16_t kWebPort = 8080;

struct ServeOptions {
  ServerOptions server;
  std::string root;
  std::vector<std::string> vhosts;
  bool no_listing = false;
  bool follow_symlinks = false;
  bool show_dotfiles = false;
  bool compress = false;
  double header_timeout = 10;
  double body_timeout = 30;
  double keepalive_timeout = 15;
  double send_timeout = 60;
  std::size_t max_requests = 1000;
  std::size_t max_line = 8 * 1024;
  std::size_t max_header_bytes = 32 * 1024;
  std::size_t max_fields = 100;
  std::size_t max_body = 1024 * 1024;
  std::size_t max_ranges = 16;
  bool writable = false;
  std::string auth_file;
  std::uint64_t max_upload = 64 * 1024 * 1024;
  std::size_t max_upload_files = 64;
  bool sessions = false;
  std::string state_dir;
  std::uint64_t max_visitors = 1'000'000;
  std::string access_log;
  std::string admin;
};

std::vector<web::PasswordEntry> load_users(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuntimeError("--auth " + path + ": cannot read the file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto users = web::parse_htpasswd(text.str());
  if (!users)
    throw RuntimeError("--auth " + path + ":" + std::to_string(users.error().line) + ": " +
                       users.error().message);
  if (users->empty())
    throw RuntimeError("--auth " + path + ": no users in the file (add one with: htpasswd -B " + path +
                       " USER)");
  return std::move(*users);
}

std::chrono::milliseconds millis(double seconds, const std::string& name) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(seconds, name));
}

web::Site open_site(std::string host, const std::string& dir, const std::string& option) {
  web::Site site;
  site.host = std::move(host);
  site.path = dir;
  if (int err = web::open_root(dir, site.dir); err != 0) {
    throw RuntimeError(option + " '" + dir + "': cannot open the directory: " + std::strerror(err));
  }
  return site;
}

web::WebConfig make_config(const ServeOptions& o) {
  if (o.root.empty() && o.vhosts.empty())
    throw UsageError("nothing to serve: give --root DIR, or --vhost NAME=DIR for each host name");
  web::WebConfig c;
  for (const std::string& spec : o.vhosts) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError("--vhost " + spec + ": expected NAME=DIR, e.g. --vhost example.test=/srv/example");
    std::string name = spec.substr(0, eq);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!name.empty() && name.back() == '.') name.pop_back();
    for (const auto& existing : c.sites)
      if (existing.host == name) throw UsageError("--vhost " + name + " is given twice");
    c.sites.push_back(open_site(name, spec.substr(eq + 1), "--vhost " + name));
  }
  if (!o.root.empty()) c.sites.push_back(open_site("", o.root, "--root"));
  c.listing = !o.no_listing;
  c.follow_symlinks = o.follow_symlinks;
  c.show_dotfiles = o.show_dotfiles;
  c.compress = o.compress;
  c.header_timeout = millis(o.header_timeout, "--header-timeout");
  c.body_timeout = millis(o.body_timeout, "--body-timeout");
  c.keepalive_timeout = millis(o.keepalive_timeout, "--keepalive-timeout");
  c.send_timeout = millis(o.send_timeout, "--send-timeout");
  c.max_requests_per_connection = o.max_requests;
  if (o.max_line > o.max_header_bytes)
    throw UsageError("--max-line (" + std::to_string(o.max_line) + ") cannot exceed --max-header-bytes (" +
                     std::to_string(o.max_header_bytes) + ")");
  c.limits.max_start_line = o.max_line;
  c.limits.max_head_bytes = o.max_header_bytes;
  c.limits.max_fields = o.max_fields;
  c.max_drain_body = o.max_body;
  c.limits.max_body_size = o.max_body;
  c.max_ranges = o.max_ranges;
  if (o.writable && o.auth_file.empty())
    throw UsageError(
        "--writable needs --auth FILE: an htpasswd file of who may write (htpasswd -B -c FILE USER)");
  if (!o.writable && !o.auth_file.empty()) throw UsageError("--auth only matters with --writable");
  if (o.writable) {
    c.writable = true;
    c.users = load_users(o.auth_file);
    c.max_upload = o.max_upload;
    c.max_upload_files = o.max_upload_files;
    // The parser bounds every body; uploads may be larger than what is drained for nothing.
    c.limits.max_body_size = std::max<std::uint64_t>(o.max_body, o.max_upload);
  }
  if (o.sessions && o.state_dir.empty())
    throw UsageError("--sessions needs --state DIR: the directory for the visitor database");
  if (!o.sessions && !o.state_dir.empty()) throw UsageError("--state is only used with --sessions");
  if (o.sessions) {
    auto store = web::VisitorStore::open(o.state_dir, o.max_visitors);
    if (!store) throw RuntimeError(store.error());
    c.visitors = std::shared_ptr<web::VisitorStore>(std::move(*store));
  }
  return c;
}

asio::ip::tcp::endpoint admin_endpoint(const std::string& spec) {
  auto hp = core::parse_host_port(spec);
  if (!hp) throw UsageError("--admin: " + hp.error() + " (expected ADDR:PORT, e.g. 127.0.0.1:9100)");
  boost::system::error_code ec;
  const auto addr =
      hp->host == "localhost" ? asio::ip::make_address("127.0.0.1") : asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError("--admin " + spec + ": '" + hp->host + "' is not an IP address");
  return {addr, hp->port};
}

int serve(const ServeOptions& o) {
  web::WebConfig config = make_config(o);
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
  if (o.writable) {
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
  bind_tcp(tcp, endpoints, *rt.log, "web");
  rt.host->add(tcp);
  std::unique_ptr<core::TcpServer> admin;
  if (!o.admin.empty()) {
    core::TcpServerOptions ao;
    ao.name = "web-admin";
    ao.max_connections = 64;
    auto& metrics = rt.host->metrics();
    ao.session = [&metrics](core::Connection& c) { return web::serve_admin(c, metrics); };
    admin = std::make_unique<core::TcpServer>(rt.host->loops(), *rt.log, std::move(ao));
    rt.secure(*admin, {"http/1.1"});
    bind_tcp(*admin, {admin_endpoint(o.admin)}, *rt.log, "web-admin");
    rt.host->add(*admin);
    admin->start();
  }
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
  cmd->add_option("--root,-r", o->root, "Directory to serve (for any Host without its own --vhost)")
      ->type_name("DIR");
  cmd->add_option("--vhost", o->vhosts, "Serve DIR for requests whose Host is NAME; repeatable")
      ->type_name("NAME=DIR");
  cmd->add_flag("--no-listing", o->no_listing, "Answer 403 for directories without index.html");
  cmd->add_flag("--follow-symlinks", o->follow_symlinks, "Follow symlinks that lead outside the root");
  cmd->add_flag("--show-dotfiles", o->show_dotfiles, "Serve and list names that start with '.'");
  cmd->add_flag("--compress", o->compress, "Gzip compressible files on the fly when the client accepts it");
  add_server_options(*cmd, o->server, "127.0.0.1:8080");
  cmd->add_option("--header-timeout", o->header_timeout, "Seconds a client has to send a whole request head")
      ->capture_default_str();
  cmd->add_option("--body-timeout", o->body_timeout, "Seconds of silence allowed inside a request body")
      ->capture_default_str();
  cmd->add_option("--keepalive-timeout", o->keepalive_timeout, "Seconds an idle connection is kept open")
      ->capture_default_str();
  cmd->add_option("--send-timeout", o->send_timeout, "Seconds a client may stall reading a response")
      ->capture_default_str();
  limit_option(*cmd, "--max-requests", o->max_requests, "Requests per connection before it is closed",
               std::size_t{1}, std::size_t{100'000'000});
  limit_option(*cmd, "--max-line", o->max_line, "Longest request line, in bytes (longer: 414)",
               std::size_t{64}, std::size_t{1} << 20);
  limit_option(*cmd, "--max-header-bytes", o->max_header_bytes,
               "Largest request head, in bytes (larger: 431)", std::size_t{256}, std::size_t{1} << 20);
  limit_option(*cmd, "--max-fields", o->max_fields, "Most header fields in a request (more: 431)",
               std::size_t{4}, std::size_t{10'000});
  limit_option(*cmd, "--max-body", o->max_body,
               "Largest request body read for methods that do not use one, in bytes (larger: 413)",
               std::size_t{0}, std::size_t{1} << 30);
  limit_option(*cmd, "--max-ranges", o->max_ranges, "Most ranges honoured in one Range field (more: ignored)",
               std::size_t{1}, std::size_t{1000});
  cmd->add_flag("--writable", o->writable, "Accept PUT, DELETE and multipart POST from users of --auth");
  cmd->add_option("--auth", o->auth_file, "htpasswd file (bcrypt or argon2 hashes) of who may write")
      ->type_name("FILE");
  limit_option(*cmd, "--max-upload", o->max_upload, "Largest PUT body or form, in bytes (larger: 413)",
               std::uint64_t{0}, std::uint64_t{1} << 40);
  cmd->add_option(
         "--access-log", o->access_log,
         "Log each request in Combined Log Format to FILE ('-': standard output); SIGHUP re-opens it")
      ->type_name("FILE");
  cmd->add_option("--admin", o->admin, "Serve Prometheus metrics at http://ADDR:PORT/metrics")
      ->type_name("ADDR:PORT");
  cmd->add_flag("--sessions", o->sessions,
                "Give each visitor a cookie and count visits in --state DIR; GET /_session shows them");
  cmd->add_option("--state", o->state_dir, "Directory for the server's state (the visitor database)")
      ->type_name("DIR");
  limit_option(*cmd, "--max-visitors", o->max_visitors, "Visitors remembered; the least recent are forgotten",
               std::uint64_t{1}, std::uint64_t{1} << 40);
  limit_option(*cmd, "--max-upload-files", o->max_upload_files, "Most parts in one multipart form",
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
