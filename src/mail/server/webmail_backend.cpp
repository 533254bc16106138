#include "mail/server/webmail_backend.hpp"

#include "auth/verify_login.hpp"
#include "core/clock.hpp"
#include "mail/server/delivery.hpp"

namespace endhost::mail::server {

awaitable<std::optional<std::string>> WebmailBackend::login(std::string_view user,
                                                            std::string_view password) {
  const std::shared_ptr<const UsersSnapshot> users = server_.users();
  const std::optional<auth::User> who =
      co_await auth::verify_login(server_.pool(), users->users(), user, password);
  if (!who) co_return std::nullopt;
  co_return who->name;
}

std::string WebmailBackend::address_of(std::string_view user) const {
  if (user.find('@') != std::string_view::npos) return std::string(user);
  return std::string(user) + "@" + server_.config().domains.front();
}

awaitable<webmail::SubmitResult> WebmailBackend::submit(webmail::Submission& s) {
  webmail::SubmitResult result;
  const std::shared_ptr<const UsersSnapshot> users = server_.users();
  // The envelope an AUTH submission would have (RFC 6409): the user's address as the sender, each
  // recipient classified as RCPT TO classifies it (local users, unknown local names refused, others relayed).
  smtp::Envelope env;
  env.helo = "webmail";
  env.esmtp = true;
  env.reverse_path = s.sender;
  env.smtputf8 = s.smtputf8;
  env.authenticated_user = s.user;
  for (const std::string& address : s.recipients) {
    const auto at = address.rfind('@');
    const std::string_view local = std::string_view(address).substr(0, at);
    const std::string_view domain = std::string_view(address).substr(at + 1);
    const smtp::RecipientVerdict v = users->classify(local, domain);
    if (v.kind == smtp::RecipientKind::UnknownLocal) {
      result.error = "no such user here: " + address;
      co_return result;
    }
    env.recipients.push_back({address, v.kind, v.local_user});
  }
  env.transaction_id = server_.next_transaction_id();
  const core::WallTime now = core::SystemClock().wall_now();
  const std::string signed_message = sign_outbound(server_, s.message, now);
  const std::string_view message = signed_message.empty() ? std::string_view(s.message) : signed_message;
  const std::string peer = "webmail " + s.peer_address;
  const DeliveryContext ctx{peer, s.peer_address, 0};
  const smtp::DeliveryOutcome outcome = co_await deliver_message(server_, env, ctx, message, now);
  if (outcome != smtp::DeliveryOutcome::Accepted) {
    result.temporary = true;
    result.error = outcome == smtp::DeliveryOutcome::NoSpace
                       ? "the server is out of disk space: try later"
                       : "the server could not take the message now: try later";
    co_return result;
  }
  result.accepted = true;
  result.id = env.transaction_id;
  co_return result;
}

}  // namespace endhost::mail::server
