// The mail server as the webmail sees it (mail/webmail/backend.hpp): its store and blocking pool, logins
// against the users file (the snapshot of the moment: SIGHUP's changes count from the next login), the
// sender's address, and the submission path of an authenticated SMTP session (delivery.hpp).
#pragma once

#include "mail/server/mail_server.hpp"
#include "mail/webmail/backend.hpp"

namespace endhost::mail::server {

class WebmailBackend final : public webmail::Backend {
 public:
  explicit WebmailBackend(MailServer& server) : server_(server) {}

  store::Store& store() override { return server_.store(); }
  core::BlockingPool& pool() override { return server_.pool(); }
  awaitable<std::optional<std::string>> login(std::string_view user, std::string_view password) override;
  std::string address_of(std::string_view user) const override;
  awaitable<webmail::SubmitResult> submit(webmail::Submission& s) override;
  std::size_t max_recipients() const override { return server_.config().max_recipients; }
  std::uint64_t max_message_size() const override { return server_.config().max_message_size; }

 private:
  MailServer& server_;
};

}  // namespace endhost::mail::server
