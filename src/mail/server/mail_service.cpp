#include "mail/server/mail_service.hpp"

#include "mail/checks/keys.hpp"
#include "mail/checks/signer.hpp"

#include <fstream>
#include <sstream>
#include <utility>

namespace endhost::mail::server {

void register_service(core::ServiceRegistry& registry) {
  core::ServiceDescriptor d;
  d.name = "mail";
  d.summary =
      "SMTP mail server (RFC 5321, ESMTP, STARTTLS, AUTH, submission) with Maildir mailboxes, a queue and "
      "POP3";
  d.serve_help =
      "Receive mail for --domain into Maildirs under --mail-dir, and queue mail for other domains (relay). "
      "SMTP listens on 127.0.0.1:25 when this process may bind it, else 2525; with --users, submission on "
      "587, else 2587, and POP3 on 110, else 1110";
  d.examples =
      "  printf 'secret\\n' | endhost mail adduser --users users.txt bob\n"
      "  endhost mail serve --domain hamburger.edu --mail-dir ./mail --users users.txt --trace\n"
      "  swaks --server 127.0.0.1:2525 --from alice@crepes.fr --to bob@hamburger.edu\n"
      "  endhost mail serve --domain crepes.fr --mail-dir ./mail --users users.txt \\\n"
      "    --submission-listen 127.0.0.1:5870 --tls-cert cert.pem --tls-key key.pem --resolver 127.0.0.1:53";
  d.port = kSmtpPort;
  d.serve_port = kMailServePort;
  d.prefer_well_known_port = true;  // 25 when allowed, as the issue and Postfix have it; else 2525
  d.shift_in_high_mode = true;
  d.transports = {true, false};
  core::use_settings(
      d, mail_settings(),
      [](MailOptions options,
         core::ServiceEnv& env) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
        auto made = MailService::create(options, env);
        if (!made) return Unexpected(made.error());
        return std::unique_ptr<core::Service>(std::move(*made));
      });
  registry.add(std::move(d));
}

namespace {

// --resolver's default: the first nameserver of /etc/resolv.conf (as the stub resolver would ask), else
// 127.0.0.1:53.
asio::ip::udp::endpoint system_resolver() {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    boost::system::error_code ec;
    const auto a = asio::ip::make_address(value, ec);
    if (!ec) return {a, 53};
  }
  return {asio::ip::make_address_v4("127.0.0.1"), 53};
}

// The token is held by the frame until the relay has stopped: the host's drain waits for it.
awaitable<void> stop_relay(queue::Relay* relay, [[maybe_unused]] core::WorkToken token) {
  co_await relay->stop();
}

}  // namespace

Expected<std::unique_ptr<MailService>, core::ServiceError> MailService::create(const MailOptions& options,
                                                                               core::ServiceEnv& env) {
  auto config = make_mail_config(options);
  if (!config) return Unexpected(config.error());
  if (config->require_tls && !env.tls)
    return Unexpected(core::ServiceError{"--require-tls needs --tls-cert and --tls-key", true});
  std::shared_ptr<const auth::UserDb> users;
  if (!config->users_file.empty()) {
    auto db = auth::UserDb::load(config->users_file);
    if (!db) return Unexpected(core::ServiceError{db.error(), false});
    users = std::make_shared<const auth::UserDb>(std::move(*db));
  }
  auto server = std::make_unique<MailServer>(std::move(*config), std::move(users), env.metrics, env.log,
                                             env.transcript);
  if (auto ok = server->ensure_mailboxes(*server->users()); !ok)
    return Unexpected(core::ServiceError{ok.error(), false});
  // STARTTLS upgrades a plain connection (RFC 3207); the listeners themselves stay plain (port 465's
  // implicit TLS, RFC 8314, is not offered).
  server->set_tls(env.tls);
  auto store = queue::QueueStore::open(server->config().queue_dir());
  if (!store) return Unexpected(core::ServiceError{"--mail-dir: the queue: " + store.error(), false});
  server->set_queue(std::make_unique<queue::QueueStore>(std::move(*store)));
  auto dns = dns::resolver_mail_dns(server->config().resolver.value_or(system_resolver()), env.source_address,
                                    env.socket_place);
  // RFC 6376 §3.6.1: each domain signs with a key whose public half is published as
  // SELECTOR._domainkey.DOMAIN; it is made once and kept (`endhost mail dkim-key` prints the record).
  const MailConfig& mc = server->config();
  for (const auto& domain : mc.domains) {
    auto key = checks::ensure_key(
        mc.dkim_dir(), domain, mc.dkim_selector,
        mc.dkim_algorithm == DkimAlgorithm::Ed25519 ? dkim::KeyType::Ed25519 : dkim::KeyType::Rsa);
    if (!key)
      return Unexpected(core::ServiceError{"--mail-dir: DKIM key of " + domain + ": " + key.error(), false});
  }
  auto signer = checks::Signer::load(mc.dkim_dir(), mc.dkim_selector);
  if (!signer) return Unexpected(core::ServiceError{"--mail-dir: DKIM keys: " + signer.error(), false});
  server->set_signer(std::move(*signer));
  server->set_dns(dns);
  return std::unique_ptr<MailService>(new MailService(options, std::move(server), env, std::move(dns)));
}

MailService::MailService(MailOptions options, std::unique_ptr<MailServer> server, core::ServiceEnv& env,
                         std::shared_ptr<const dns::MailDns> dns)
    : options_(std::move(options)),
      listen_(env.tcp_listen),
      server_(std::move(server)),
      smtp_(env.loops, env.log,
            core::TcpServerOptions{
                "mail", env.max_connections,
                [s = server_.get()](core::Connection& c) { return serve_smtp(c, *s, false); },
                [h = server_->config().hostname](core::Connection& c) { return refuse_smtp(c, h); }}),
      pop3_counters_(env.metrics),
      imap_counters_(env.metrics),
      webmail_counters_(env.metrics),
      log_(env.log),
      loops_(env.loops) {
  drain_with(smtp_);
  const MailConfig& mc = server_->config();
  queue::RelayConfig rc;
  rc.hostname = mc.hostname;
  rc.retry_min = mc.retry_min;
  rc.retry_max = mc.retry_max;
  rc.lifetime = mc.queue_lifetime;
  rc.run_interval = mc.queue_run_interval;
  rc.port = mc.relay_port;
  rc.relay_host = mc.relay_host;
  rc.source = env.source_address;
  rc.place = env.socket_place;
  MailServer* s = server_.get();
  rc.local_delivery = [s](const std::string& sender, const std::string& recipient, std::string_view message,
                          const std::string& id, std::string& error) {
    return s->deliver_queued(sender, recipient, message, id, error);
  };
  relay_ = std::make_unique<queue::Relay>(env.loops, *server_->queue(), std::move(rc), std::move(dns),
                                          env.transcript);
  server_->set_relay(relay_.get());
  if (server_->config().submission_listen) {
    submission_.emplace(
        env.loops, env.log,
        core::TcpServerOptions{
            "mail", env.max_connections,
            [s = server_.get()](core::Connection& c) { return serve_smtp(c, *s, true); },
            [h = server_->config().hostname](core::Connection& c) { return refuse_smtp(c, h); }});
    drain_with(*submission_);
  }
  if (server_->config().pop3_listen) {
    pop3_.emplace(env.loops, env.log,
                  core::TcpServerOptions{"mail", env.max_connections,
                                         [s = server_.get(), c = &pop3_counters_](core::Connection& conn) {
                                           return serve_pop3(conn, *s, *c);
                                         },
                                         [](core::Connection& conn) { return refuse_pop3(conn); }});
    drain_with(*pop3_);
  }
  if (server_->config().imap_listen) {
    imap_.emplace(env.loops, env.log,
                  core::TcpServerOptions{"mail", env.max_connections,
                                         [s = server_.get(), c = &imap_counters_](core::Connection& conn) {
                                           return serve_imap(conn, *s, *c);
                                         },
                                         [](core::Connection& conn) { return refuse_imap(conn); }});
    drain_with(*imap_);
  }
  if (server_->config().webmail_listen) {
    webmail_backend_ = std::make_unique<WebmailBackend>(*server_);
    webmail::WebmailConfig wc;
    // A compose carries the message's attachments in a form: the body may be as large as a message.
    wc.limits.max_body_size = server_->config().max_message_size + 64 * 1024;
    wc.sessions.idle = server_->config().webmail_idle_timeout;
    // HTTPS with the certificate STARTTLS uses: the listener is TLS from the first byte (no upgrade in
    // HTTP/1.1 that browsers speak), and the cookie says Secure.
    wc.secure = env.tls != nullptr;
    wc.trusted_networks = server_->config().trusted_networks;
    webmail_app_ =
        std::make_unique<webmail::Webmail>(*webmail_backend_, std::move(wc), webmail_counters_, env.log);
    webmail_.emplace(
        env.loops, env.log,
        core::TcpServerOptions{
            "mail", env.max_connections,
            [w = webmail_app_.get()](core::Connection& conn) { return webmail::serve_webmail(conn, *w); },
            [](core::Connection& conn) { return webmail::refuse_webmail(conn); }});
    if (env.tls) webmail_->set_tls(env.tls, {"http/1.1"});
    drain_with(*webmail_);
    const auto& ep = *server_->config().webmail_listen;
    if (!env.tls && !ep.address().is_loopback())
      log_.warn(
          "the webmail is plain HTTP: logins are accepted only from loopback peers and --trusted-networks; "
          "give --tls-cert and --tls-key to serve it over HTTPS, or put a TLS proxy on this machine in front "
          "of it",
          {{"service", "mail"}, {"address", core::endpoint_text(ep)}});
  }
  std::string domains;
  for (const auto& d : server_->config().domains) domains += (domains.empty() ? "" : ",") + d;
  log_.info("serving",
            {{"service", "mail"}, {"domains", domains}, {"mail_dir", server_->config().mail_dir.string()}});
  if (server_->tls() || options_.users.empty()) return;
  std::vector<asio::ip::tcp::endpoint> all = listen_;
  if (server_->config().submission_listen) all.push_back(*server_->config().submission_listen);
  if (server_->config().pop3_listen) all.push_back(*server_->config().pop3_listen);
  if (server_->config().imap_listen) all.push_back(*server_->config().imap_listen);
  for (const auto& ep : all) {
    if (ep.address().is_loopback()) continue;
    log_.warn(
        "AUTH is offered without TLS only to loopback peers and --trusted-networks: give "
        "--tls-cert/--tls-key so that others can log in with STARTTLS (SMTP, IMAP) and STLS (POP3)",
        {{"service", "mail"}, {"address", core::endpoint_text(ep)}});
    break;
  }
}

Expected<void, std::string> MailService::bind(core::Binder& binder) {
  // SMTP first, then submission, POP3 and IMAP: the `listening` lines come in this order. POP3's and IMAP's
  // lines say protocol=pop3 / protocol=imap, so a reader finds them by name.
  if (auto ok = binder.tcp(smtp_, listen_); !ok) return ok;
  if (submission_) {
    const std::vector<asio::ip::tcp::endpoint> sub = {*server_->config().submission_listen};
    if (auto ok = binder.tcp(*submission_, sub); !ok) return ok;
  }
  if (pop3_) {
    if (auto ok = pop3_->listen(*server_->config().pop3_listen, binder.place()); !ok)
      return Unexpected("--pop3: " + ok.error());
    for (const auto& ep : pop3_->local_endpoints()) binder.listening("pop3", ep);
  }
  if (imap_) {
    if (auto ok = imap_->listen(*server_->config().imap_listen, binder.place()); !ok)
      return Unexpected("--imap: " + ok.error());
    for (const auto& ep : imap_->local_endpoints()) binder.listening("imap", ep);
  }
  if (webmail_) {
    if (auto ok = webmail_->listen(*server_->config().webmail_listen, binder.place()); !ok)
      return Unexpected("--webmail: " + ok.error());
    for (const auto& ep : webmail_->local_endpoints()) binder.listening("webmail", ep);
  }
  return {};
}

void MailService::start() {
  relay_->start();
  smtp_.start();
  if (submission_) submission_->start();
  if (pop3_) pop3_->start();
  if (imap_) imap_->start();
  if (webmail_) webmail_->start();
}

void MailService::reload() {
  auto ok = server_->reload_users();
  if (!ok) {
    log_.error("users file not reloaded; the previous users stay",
               {{"service", "mail"}, {"error", ok.error()}});
  } else if (!server_->config().users_file.empty()) {
    log_.info("users file reloaded", {{"service", "mail"}, {"file", server_->config().users_file.string()}});
  }
}

void MailService::drain() {
  core::Service::drain();
  // The relay's deliveries in flight end (their state is on disk either way); the host waits for the token.
  asio::co_spawn(loops_[0].io(), stop_relay(relay_.get(), background().begin()), asio::detached);
}

std::vector<core::NamedCount> MailService::counters() const {
  const MailCounters& c = server_->counters();
  const queue::RelayStats r = relay_->stats();
  return {{"messages", c.messages->value()},
          {"queued", r.queued},
          {"relayed", r.delivered},
          {"deferred", r.deferred},
          {"bounced", r.bounced},
          {"sessions", c.sessions->value()},
          {"delivered", c.delivered->value()},
          {"accepted for relay", c.queued->value()},
          {"answered 4xx", c.deferred->value()},
          {"rejected", c.rejected->value()},
          {"refused recipients", c.refused_recipients->value()},
          {"logins", c.logins->value()},
          {"login failures", c.login_failures->value()},
          {"starttls", c.starttls->value()},
          {"pipelining violations", c.pipelining_violations->value()},
          {"pop3 sessions", pop3_counters_.sessions->value()},
          {"pop3 logins", pop3_counters_.logins->value()},
          {"pop3 retrieved", pop3_counters_.retrieved->value()},
          {"pop3 deleted", pop3_counters_.deleted->value()},
          {"imap sessions", imap_counters_.sessions->value()},
          {"imap logins", imap_counters_.logins->value()},
          {"imap fetched", imap_counters_.fetched->value()},
          {"imap appended", imap_counters_.appended->value()},
          {"webmail logins", webmail_counters_.logins->value()},
          {"webmail sent", webmail_counters_.sent->value()}};
}

std::vector<std::string> MailService::writable_paths() const {
  // The whole mail directory: mailboxes, the queue and the DKIM keys are the server's own (unlike FTP's
  // --root, which is the operator's tree).
  return {server_->config().mail_dir.string()};
}

}  // namespace endhost::mail::server
