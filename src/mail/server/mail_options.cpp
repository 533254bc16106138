#include "mail/server/mail_options.hpp"

#include <system_error>

#include "auth/user_db.hpp"
#include "core/address_acl_asio.hpp"
#include "core/privileged_ports.hpp"
#include "mail/server/recipients.hpp"

namespace endhost::mail::server {

const core::SettingTable<MailOptions>& mail_settings() {
  static const auto table = [] {
    core::SettingTable<MailOptions> t;
    t.texts("domain", &MailOptions::domains, "DOMAIN",
            "A mail domain this server receives for (repeatable; at least one)");
    t.text("hostname", &MailOptions::hostname, "NAME",
           "This server's name in the 220 greeting and Received: (default: the first --domain)");
    t.text("mail-dir", &MailOptions::mail_dir, "DIR",
           "Mailboxes (DIR/users/NAME, Maildir), the queue (DIR/queue) and DKIM keys (DIR/dkim) (required)");
    t.text("users", &MailOptions::users, "FILE",
           "Users file (name:{SCHEME}hash:…, Dovecot's passwd-file; `endhost mail adduser` writes it): the "
           "local "
           "mailboxes and who may AUTH; re-read on SIGHUP");
    t.text(
        "submission-listen", &MailOptions::submission_listen, "ADDR:PORT|off",
        "Submission listener (RFC 6409): MAIL needs AUTH, then any domain is relayed (default with --users: "
        "127.0.0.1:587 when allowed, else 127.0.0.1:2587; off: none)");
    t.text("pop3", &MailOptions::pop3, "ADDR:PORT|off",
           "POP3 listener (RFC 1939; STLS with --tls-cert, logins from --users) over the same Maildirs "
           "(default with --users: 127.0.0.1:110 when allowed, else 127.0.0.1:1110; off: none)");
    t.text("imap", &MailOptions::imap, "ADDR:PORT|off",
           "IMAP listener (RFC 3501 with IDLE, UIDPLUS, MOVE, SPECIAL-USE; STARTTLS with --tls-cert, logins "
           "from --users) over the same Maildirs (default with --users: 127.0.0.1:143 when allowed, else "
           "127.0.0.1:1143; off: none)");
    t.text(
        "webmail", &MailOptions::webmail, "ADDR:PORT|PORT|off",
        "Webmail over the same Maildirs, logins from --users; off unless given (a web application is "
        "opt-in); PORT alone listens on 127.0.0.1. HTTPS with --tls-cert (the cookie is then Secure); over "
        "plain HTTP only loopback peers may log in");
    t.seconds(
        "webmail-idle-timeout", &MailOptions::webmail_idle_timeout,
        "Seconds a webmail session may go unused before it is logged out (default 1800; at most 12 hours "
        "after the login in any case)");
    t.texts("relay-from", &MailOptions::relay_from, "CIDR",
            "Peers whose mail for other domains is relayed without AUTH (repeatable; default: nobody)");
    t.texts("trusted-networks", &MailOptions::trusted_networks, "CIDR[,CIDR...]",
            "Peers who may log in without TLS, as loopback peers may (AUTH, USER/PASS, LOGIN, the webmail's "
            "plain-HTTP login; Dovecot's login_trusted_networks; repeatable; default: loopback only)");
    t.text("postmaster", &MailOptions::postmaster, "NAME",
           "The user who receives postmaster@ of every domain (default: a user named postmaster, else the "
           "Maildir DIR/users/postmaster)");
    t.size("max-message-size", &MailOptions::max_message_size, std::uint64_t{1024}, std::uint64_t{1} << 34,
           "Largest message accepted (SIZE, RFC 1870; 552 past it)");
    t.integer("max-recipients", &MailOptions::max_recipients, std::size_t{1}, std::size_t{100'000},
              "Recipients per message (452 beyond, RFC 5321 §4.5.3.1.8)");
    t.integer("max-errors", &MailOptions::max_errors, std::size_t{1}, std::size_t{1000},
              "Refused commands per session before 421 and close");
    t.integer("max-commands-before-mail", &MailOptions::max_commands_before_mail, std::size_t{1},
              std::size_t{100'000}, "Commands a session may send before MAIL FROM (421 beyond)");
    t.text("resolver", &MailOptions::resolver, "ADDR:PORT",
           "Recursive resolver for MX lookups and SPF (default: the first nameserver of /etc/resolv.conf)");
    t.integer("relay-port", &MailOptions::relay_port, std::uint16_t{1}, std::uint16_t{65535},
              "The SMTP port of the next hop (25; the lab uses its own)", "PORT");
    t.text("relay-host", &MailOptions::relay_host, "HOST[:PORT]",
           "Send every remote message to this host instead of the MX (Postfix relayhost)");
    t.seconds("retry-min", &MailOptions::retry_min, "Seconds before the first retry of a deferred message");
    t.seconds("retry-max", &MailOptions::retry_max, "Longest wait between retries, in seconds");
    t.seconds("queue-lifetime", &MailOptions::queue_lifetime,
              "Seconds a message may stay deferred before it is bounced");
    t.seconds("queue-run-interval", &MailOptions::queue_run_interval, "Seconds between queue runs");
    t.text("dkim-selector", &MailOptions::dkim_selector, "NAME",
           "DKIM selector of the keys in DIR/dkim (DNS name SELECTOR._domainkey.DOMAIN)");
    t.choice("dkim-algorithm", &MailOptions::dkim_algorithm, {"rsa", "ed25519"},
             "Algorithm of the DKIM keys the server makes (rsa-sha256 or ed25519-sha256, RFC 8463)");
    t.flag("dkim-reject", &MailOptions::dkim_reject,
           "Refuse (550 5.7.20) inbound mail whose DKIM signature fails, instead of recording it");
    t.flag("spf-reject", &MailOptions::spf_reject,
           "Refuse (550 5.7.23) inbound mail whose SPF result is fail, instead of recording it");
    t.flag("require-tls", &MailOptions::require_tls,
           "Refuse MAIL before STARTTLS (RFC 3207; Postfix's encrypt level); needs --tls-cert");
    t.seconds("command-timeout", &MailOptions::command_timeout,
              "Seconds to wait for a command (RFC 5321 §4.5.3.2.7: 5 minutes)");
    t.seconds("data-timeout", &MailOptions::data_timeout,
              "Seconds to wait for each block of a message (RFC 5321 §4.5.3.2.5: 3 minutes)");
    t.integer("delivery-threads", &MailOptions::delivery_threads, std::size_t{1}, std::size_t{256},
              "Threads that write mailboxes and the queue (fsync) and verify passwords");
    return t;
  }();
  return table;
}

bool MailConfig::trusts(const asio::ip::address& peer) const {
  return peer.is_loopback() || core::allows(trusted_networks, peer);
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const char c = d[i];
    if (c == '.') {
      if (label == 0 || d[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && label > 0);
    if (!ok || ++label > 63) return false;
  }
  return label > 0 && d.back() != '-';
}

namespace {

// A listener that serves the users of --users (--submission-listen, --pop3): "off"; left empty, loopback
// on `port` when this process may bind it, else on `fallback`, and only with users; or ADDR:PORT, which
// needs users (`why` says so).
Expected<std::optional<asio::ip::tcp::endpoint>, core::ServiceError> users_listener(
    std::string_view option, const std::string& value, bool have_users, std::uint16_t port,
    std::uint16_t fallback, std::string_view why) {
  const auto usage = [](std::string m) { return Unexpected(core::ServiceError{std::move(m), true}); };
  const std::string name(option);
  if (value == "off") return std::optional<asio::ip::tcp::endpoint>();
  if (value.empty()) {
    if (!have_users) return std::optional<asio::ip::tcp::endpoint>();
    const std::uint16_t chosen = core::may_bind_port(port) ? port : fallback;
    return std::optional(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), chosen));
  }
  if (!have_users) return usage(name + " needs --users: " + std::string(why));
  auto hp = core::parse_host_port(value, port);
  if (!hp) return usage(name + ": " + hp.error());
  boost::system::error_code aec;
  const auto a = asio::ip::make_address(hp->host, aec);
  if (aec) return usage(name + ": '" + hp->host + "' is not an IP address");
  return std::optional(asio::ip::tcp::endpoint(a, hp->port));
}

}  // namespace

Expected<MailConfig, core::ServiceError> make_mail_config(const MailOptions& o) {
  const auto usage = [](std::string m) { return Unexpected(core::ServiceError{std::move(m), true}); };
  const auto failed = [](std::string m) { return Unexpected(core::ServiceError{std::move(m), false}); };
  MailConfig c;
  if (o.domains.empty())
    return usage("--domain DOMAIN is required: the mail domain(s) this server receives for");
  for (const auto& d : o.domains) {
    if (!valid_domain(d)) return usage("--domain: '" + d + "' is not a domain name");
    const std::string l = lower_ascii(d);
    bool seen = false;
    for (const auto& x : c.domains) seen = seen || x == l;
    if (!seen) c.domains.push_back(l);
  }
  c.hostname = o.hostname.empty() ? c.domains.front() : o.hostname;
  if (!valid_domain(c.hostname)) return usage("--hostname: '" + o.hostname + "' is not a host name");
  if (o.mail_dir.empty())
    return usage("--mail-dir DIR is required: where the mailboxes and the queue are kept");
  std::error_code ec;
  c.mail_dir = std::filesystem::absolute(o.mail_dir, ec);
  if (ec) return failed("--mail-dir " + o.mail_dir + ": " + ec.message());
  for (const auto& dir : {c.mail_dir, c.users_dir(), c.queue_dir()}) {
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec))
      return failed("--mail-dir: cannot make the directory " + dir.string() +
                    (ec ? ": " + ec.message() : ": a file is in the way"));
  }
  if (!o.users.empty()) {
    c.users_file = std::filesystem::absolute(o.users, ec);
    auto db = auth::UserDb::load(c.users_file);
    if (!db) return failed(db.error());
    for (const auto& u : db->users()) {
      if (auto why = invalid_mailbox_name(u.name, c.domains)) return failed(o.users + ": " + *why);
    }
    if (!o.postmaster.empty() && !db->find(o.postmaster))
      return usage("--postmaster: '" + o.postmaster + "' is not a user of " + o.users);
  } else if (!o.postmaster.empty()) {
    return usage("--postmaster needs --users: the postmaster is one of its users");
  }
  c.postmaster = o.postmaster;
  // Submission (RFC 6409) takes mail only after AUTH, POP3 only after a login: both need the users file.
  // Left at their default they are on, on loopback, when there are users, as Postfix's master.cf and
  // Dovecot would have them: the well-known port when this process may bind it, else a high one.
  auto submission =
      users_listener("--submission-listen", o.submission_listen, !o.users.empty(), kSubmissionPort,
                     kSubmissionServePort, "submission (RFC 6409) takes mail only after AUTH");
  if (!submission) return Unexpected(submission.error());
  c.submission_listen = *submission;
  auto pop3 = users_listener("--pop3", o.pop3, !o.users.empty(), kPop3Port, kPop3ServePort,
                             "only its users can log in to POP3");
  if (!pop3) return Unexpected(pop3.error());
  c.pop3_listen = *pop3;
  auto imap = users_listener("--imap", o.imap, !o.users.empty(), kImapPort, kImapServePort,
                             "only its users can log in to IMAP");
  if (!imap) return Unexpected(imap.error());
  c.imap_listen = *imap;
  // The webmail is off unless asked for, unlike POP3 and IMAP: a web application is a larger surface than a
  // mail protocol, and nobody should find one listening they did not ask for. A port alone is loopback.
  if (!o.webmail.empty() && o.webmail != "off") {
    const bool port_only = o.webmail.find_first_not_of("0123456789") == std::string::npos;
    auto web = users_listener("--webmail", port_only ? "127.0.0.1:" + o.webmail : o.webmail, !o.users.empty(),
                              kWebmailPort, kWebmailPort, "only its users can log in to the webmail");
    if (!web) return Unexpected(web.error());
    c.webmail_listen = *web;
  }
  auto acl = core::AddressAcl::parse(o.relay_from);
  if (!acl) return usage("--relay-from: " + acl.error());
  c.relay_from = std::move(*acl);
  for (const std::string& list : o.trusted_networks) {
    std::string_view rest = list;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view block = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (auto ok = c.trusted_networks.add(block); !ok) return usage("--trusted-networks: " + ok.error());
    }
  }
  c.max_message_size = o.max_message_size;
  c.max_recipients = o.max_recipients;
  c.max_errors = o.max_errors;
  c.max_commands_before_mail = o.max_commands_before_mail;
  if (!o.resolver.empty()) {
    auto hp = core::parse_host_port(o.resolver, 53);
    if (!hp) return usage("--resolver: " + hp.error());
    boost::system::error_code aec;
    const auto a = asio::ip::make_address(hp->host, aec);
    if (aec) return usage("--resolver: '" + hp->host + "' is not an IP address");
    c.resolver = asio::ip::udp::endpoint(a, hp->port);
  }
  c.relay_port = o.relay_port;
  if (!o.relay_host.empty()) {
    auto hp = core::parse_host_port(o.relay_host, o.relay_port);
    if (!hp) return usage("--relay-host: " + hp.error());
    c.relay_host = *hp;
  }
  c.retry_min = std::chrono::seconds(static_cast<std::int64_t>(o.retry_min));
  c.retry_max = std::chrono::seconds(static_cast<std::int64_t>(o.retry_max));
  if (c.retry_min.count() < 1) c.retry_min = std::chrono::seconds(1);
  if (c.retry_max < c.retry_min) return usage("--retry-max must not be less than --retry-min");
  c.queue_lifetime = std::chrono::seconds(static_cast<std::int64_t>(o.queue_lifetime));
  c.queue_run_interval = std::chrono::seconds(static_cast<std::int64_t>(o.queue_run_interval));
  if (c.queue_run_interval.count() < 1) c.queue_run_interval = std::chrono::seconds(1);
  if (o.dkim_selector.empty() || !valid_domain(o.dkim_selector))
    return usage("--dkim-selector: '" + o.dkim_selector + "' is not a DNS label");
  c.dkim_selector = o.dkim_selector;
  c.dkim_algorithm = o.dkim_algorithm == "ed25519" ? DkimAlgorithm::Ed25519 : DkimAlgorithm::Rsa;
  c.dkim_reject = o.dkim_reject;
  c.spf_reject = o.spf_reject;
  c.require_tls = o.require_tls;
  c.command_timeout = core::seconds_as(o.command_timeout);
  c.webmail_idle_timeout = core::seconds_as(o.webmail_idle_timeout);
  c.data_timeout = core::seconds_as(o.data_timeout);
  c.delivery_threads = o.delivery_threads;
  return c;
}

}  // namespace endhost::mail::server
