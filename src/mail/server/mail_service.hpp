// `endhost mail serve` and a lab host's `mail = { … }` as one core::Service: the options checked once
// (make_mail_config), the users file read and a Maildir made for each user, the SMTP listener (--listen,
// from the host), the submission listener (--submission-listen) and the POP3 (--pop3) and IMAP (--imap)
// listeners and the webmail (--webmail) bound through the Binder and drained by the host, TLS
// (--tls-cert/--tls-key) offered through STARTTLS (RFC 3207) and STLS (RFC 2595) rather than on the
// listeners, SIGHUP re-reading the users file and the certificates, and the counters for the dashboard.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/service.hpp"
#include "core/service_registry.hpp"
#include "core/tcp_server.hpp"
#include "mail/dns/mail_dns.hpp"
#include "mail/queue/relay.hpp"
#include "mail/server/imap_session.hpp"
#include "mail/server/mail_server.hpp"
#include "mail/server/pop3_session.hpp"
#include "mail/server/webmail_backend.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::server {

// Adds "mail" to the registry: `endhost mail serve` and a lab host's `mail = { … }`.
void register_service(core::ServiceRegistry& registry);

class MailService final : public core::Service {
 public:
  static Expected<std::unique_ptr<MailService>, core::ServiceError> create(const MailOptions& options,
                                                                           core::ServiceEnv& env);

  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  void reload() override;
  std::vector<core::NamedCount> counters() const override;
  std::vector<std::string> writable_paths() const override;
  void drain() override;

  MailServer& server() { return *server_; }

 private:
  MailService(MailOptions options, std::unique_ptr<MailServer> server, core::ServiceEnv& env,
              std::shared_ptr<const dns::MailDns> dns);

  MailOptions options_;
  std::vector<asio::ip::tcp::endpoint> listen_;
  std::unique_ptr<MailServer> server_;
  core::TcpServer smtp_;
  std::optional<core::TcpServer> submission_;
  Pop3Counters pop3_counters_;
  std::optional<core::TcpServer> pop3_;
  ImapCounters imap_counters_;
  std::optional<core::TcpServer> imap_;
  webmail::WebmailCounters webmail_counters_;
  std::unique_ptr<WebmailBackend> webmail_backend_;
  std::unique_ptr<webmail::Webmail> webmail_app_;
  std::optional<core::TcpServer> webmail_;
  core::Logger& log_;
  core::EventLoops& loops_;
  std::unique_ptr<queue::Relay> relay_;  // after server_: it refers to the queue the server owns
};

}  // namespace endhost::mail::server
