#include "http/server/web_service.hpp"

#include <string_view>
#include <utility>

#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "http/server/access_log.hpp"

namespace endhost::web {

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "web";
  d.summary = "HTTP/1.1 and HTTP/2 web server for static files";
  d.serve_help = "Serve a directory over HTTP/1.0 and HTTP/1.1";
  d.examples =
      "  endhost web serve ./site                     on a terminal, each request is logged to stderr\n"
      "  endhost web serve --root ./site\n"
      "  endhost web serve --root ./site --listen 127.0.0.1:8080 --threads 2 --trace\n"
      "  endhost web serve --vhost a.test=./a --vhost b.test=./b --root ./default\n"
      "  htpasswd -B -c users.htpasswd alice && endhost web serve --root ./site --writable --auth "
      "users.htpasswd";
  d.port = kWebPort;
  d.serve_port = kWebServePort;
  d.transports = {true, false};
  // The lab's web hosts log to their access logs, never to the lab's terminal.
  d.lab_defaults.add("quiet", "true");
  core::use_settings(
      d, web_settings(),
      [](WebOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto made = WebService::create(options, env);
        if (!made) return Unexpected(made.error());
        return std::unique_ptr<core::Service>(std::move(*made));
      });
  registry.add(std::move(d));
}

Expected<std::unique_ptr<WebService>, core::ServiceError> WebService::create(const WebOptions& options,
                                                                             core::ServiceEnv& env) {
  if (!options.tls_listen.empty() && !env.tls)
    return Unexpected(core::ServiceError{"--tls-listen needs --tls-cert and --tls-key", true});
  for (const std::string& spec : options.tls_listen) {
    auto hp = core::parse_host_port(spec);
    boost::system::error_code ec;
    if (hp) asio::ip::make_address(hp->host, ec);
    if (!hp || ec)
      return Unexpected(core::ServiceError{
          "--tls-listen " + spec + ": expected ADDR:PORT with an IP address, e.g. 127.0.0.1:8443", true});
  }
  auto config = make_web_config(options, env.loops.size());
  if (!config) return Unexpected(core::ServiceError{config.error().message, config.error().usage});
  config->transcript = env.transcript;
  return std::unique_ptr<WebService>(new WebService(options, std::move(*config), env));
}

WebService::WebService(const WebOptions& options, WebConfig config, core::ServiceEnv& env)
    : options_(options),
      listen_(env.tcp_listen),
      access_log_(config.access_log),
      loops_(env.loops.size()),
      server_(std::move(config), env.loops, env.metrics, env.log),
      tcp_(env.loops, env.log, server_.tcp_options(env.max_connections)) {
  // RFC 7301, RFC 9113 §3.2: h2 first when the server speaks it, else HTTP/1.1 alone.
  std::vector<std::string> alpn = {"http/1.1"};
  if (server_.config().http2) alpn.insert(alpn.begin(), "h2");
  for (const std::string& spec : options.tls_listen) {
    const auto hp = core::parse_host_port(spec);  // checked by create()
    tls_listen_.emplace_back(asio::ip::make_address(hp->host), hp->port);
  }
  if (env.tls && tls_listen_.empty()) {
    tcp_.set_tls(env.tls, alpn);
  } else if (env.tls) {
    tls_tcp_.emplace(env.loops, env.log, server_.tcp_options(env.max_connections));
    tls_tcp_->set_tls(env.tls, alpn);
  }
  drain_with(tcp_);
  if (tls_tcp_) drain_with(*tls_tcp_);
  log_start(env.log, env.host, env.tls != nullptr && tls_listen_.empty());
}

void WebService::log_start(core::Logger& log, const std::string& host, bool tls) const {
  for (const auto& site : server_.config().sites) {
    const std::string_view vhost = site.host.empty() ? std::string_view("*") : std::string_view(site.host);
    // In the lab, `host` is the lab host's name (as on its `listening` line) and the virtual host is `vhost`.
    if (host.empty()) {
      log.info("serving", {{"service", "web"}, {"host", vhost}, {"root", site.path}});
    } else {
      log.info("serving", {{"service", "web"}, {"host", host}, {"vhost", vhost}, {"root", site.path}});
    }
  }
  if (!options_.writable || tls) return;
  for (const auto& ep : listen_) {
    if (ep.address().is_loopback()) continue;
    // Basic sends the password in the clear on every request (RFC 7617 §4).
    log.warn(
        "--writable on a non-loopback address without TLS: Basic auth passwords cross the network in clear "
        "text; listen on 127.0.0.1 behind a TLS proxy instead",
        {{"service", "web"}, {"address", core::endpoint_text(ep)}});
  }
}

Expected<void, std::string> WebService::bind(core::Binder& binder) {
  if (auto ok = binder.tcp(tcp_, listen_); !ok) return ok;
  if (!tls_tcp_) return {};
  // Their `listening` lines say protocol=https, so a reader tells them from the clear ones.
  for (const auto& ep : tls_listen_) {
    if (auto ok = tls_tcp_->listen(ep, binder.place()); !ok) return Unexpected("--tls-listen: " + ok.error());
  }
  for (const auto& ep : tls_tcp_->local_endpoints()) binder.listening("https", ep);
  return {};
}

void WebService::start() {
  tcp_.start();
  if (tls_tcp_) tls_tcp_->start();
}

void WebService::reload() {
  server_.reopen_logs();
}

void WebService::stopped() {
  if (!access_log_) return;
  for (std::size_t i = 0; i < loops_; ++i) access_log_->flush(i);
}

std::vector<std::string> WebService::writable_paths() const {
  std::vector<std::string> paths;
  if (!options_.state_dir.empty()) paths.push_back(options_.state_dir);
  if (!options_.access_log.empty() && options_.access_log != "-") paths.push_back(options_.access_log);
  return paths;
}

}  // namespace endhost::web
