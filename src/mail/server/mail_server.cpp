#include "mail/server/mail_server.hpp"

#include "core/system_random.hpp"
#include "mail/queue/queue_entry.hpp"
#include "text/verb.hpp"

#include <chrono>
#include <cstdio>
#include <set>
#include <system_error>

namespace endhost::mail::server {

UsersSnapshot::UsersSnapshot(std::shared_ptr<const auth::UserDb> users, const MailConfig& config)
    : users_(std::move(users)),
      recipients_(config.domains, users_.get(), config.postmaster),
      first_domain_(config.domains.empty() ? std::string() : config.domains.front()) {}

smtp::RecipientVerdict UsersSnapshot::classify(std::string_view local_part, std::string_view domain) const {
  // RFC 5321 §4.5.1: a bare <postmaster> is this host's postmaster.
  const auto m = recipients_.resolve(local_part, domain.empty() ? std::string_view(first_domain_) : domain);
  switch (m.kind) {
    case LocalRecipients::Kind::Local:
      return {smtp::RecipientKind::LocalUser, m.user};
    case LocalRecipients::Kind::Unknown:
      return {smtp::RecipientKind::UnknownLocal, {}};
    case LocalRecipients::Kind::Remote:
      break;
  }
  return {smtp::RecipientKind::Remote, {}};
}

MailServer::MailServer(MailConfig config, std::shared_ptr<const auth::UserDb> users,
                       core::MetricsRegistry& metrics, core::Logger& log, core::Transcript transcript)
    : config_(std::move(config)),
      pool_("mail-blocking", config_.delivery_threads),
      log_(log),
      transcript_(std::move(transcript)),
      store_(config_.users_dir(), config_.max_message_size),
      users_(std::make_shared<const UsersSnapshot>(std::move(users), config_)) {
  counters_.sessions = &metrics.counter("endhost_mail_sessions_total", "SMTP connections served");
  counters_.commands = &metrics.counter("endhost_mail_commands_total", "SMTP commands received");
  counters_.messages =
      &metrics.counter("endhost_mail_messages_total", "Messages accepted (250 after DATA/BDAT)");
  counters_.delivered =
      &metrics.counter("endhost_mail_delivered_total", "Message copies written to local Maildirs");
  counters_.queued = &metrics.counter("endhost_mail_queued_total", "Messages queued for remote recipients");
  counters_.deferred =
      &metrics.counter("endhost_mail_deferred_total", "Messages answered 4xx at the end of data");
  counters_.rejected =
      &metrics.counter("endhost_mail_rejected_total", "Messages answered 5xx at the end of data");
  counters_.refused_recipients = &metrics.counter("endhost_mail_refused_recipients_total",
                                                  "RCPT TO refused (unknown user, relay denied)");
  counters_.logins = &metrics.counter("endhost_mail_logins_total", "Successful AUTH");
  counters_.login_failures = &metrics.counter("endhost_mail_login_failures_total", "Failed AUTH");
  counters_.starttls = &metrics.counter("endhost_mail_starttls_total", "Sessions upgraded by STARTTLS");
  counters_.pipelining_violations = &metrics.counter(
      "endhost_mail_pipelining_violations_total", "Sessions closed for talking out of turn (RFC 2920 §3.1)");
  counters_.received_bytes =
      &metrics.counter("endhost_mail_received_bytes_total", "Bytes of accepted messages");
}

std::shared_ptr<const UsersSnapshot> MailServer::users() const {
  std::lock_guard lock(users_mutex_);
  return users_;
}

Expected<void, std::string> MailServer::ensure_mailboxes(const UsersSnapshot& users) {
  for (const auto& name : users.recipients().users()) {
    if (auto ok = maildir::ensure(config_.users_dir() / name); !ok) return ok;
  }
  return {};
}

Expected<void, std::string> MailServer::reload_users() {
  if (config_.users_file.empty()) return {};
  auto db = auth::UserDb::load(config_.users_file);
  if (!db) return Unexpected(db.error());
  for (const auto& u : db->users()) {
    if (auto why = invalid_mailbox_name(u.name, config_.domains))
      return Unexpected(config_.users_file.string() + ": " + *why);
  }
  auto fresh =
      std::make_shared<const UsersSnapshot>(std::make_shared<const auth::UserDb>(std::move(*db)), config_);
  if (auto ok = ensure_mailboxes(*fresh); !ok) return ok;
  std::lock_guard lock(users_mutex_);
  users_ = std::move(fresh);
  return {};
}

std::string MailServer::next_transaction_id() {
  // The queue's id format (Postfix's short queue ids are hex too): if the mail is queued it keeps this id.
  // The random part keeps two servers on one queue, or a restart, from naming two mails alike; the queue's
  // no-replace publish catches what is left.
  const auto n = static_cast<std::uint32_t>(id_counter_.fetch_add(1, std::memory_order_relaxed));
  core::SystemRandom random;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return queue::format_queue_id(std::chrono::duration_cast<std::chrono::microseconds>(now),
                                n + static_cast<std::uint32_t>(random.next()));
}

LocalDeliveryResult MailServer::deliver_local(std::span<const std::string> users,
                                              std::span<const std::string_view> parts) {
  LocalDeliveryResult r;
  std::set<std::string> done;
  for (const auto& user : users) {
    if (!done.insert(user).second) continue;  // two addresses of one user: one copy (as Postfix's local)
    const std::filesystem::path box = config_.users_dir() / user;
    auto delivered = maildir_.deliver(box, parts);
    if (!delivered && delivered.error().code == ENOENT) {
      // A user added to the file since the last reload, or a Maildir someone removed: make it and retry.
      if (maildir::ensure(box)) delivered = maildir_.deliver(box, parts);
    }
    if (delivered) {
      ++r.delivered;
      store_.delivered(user);  // an open INBOX takes it in now: IMAP IDLE wakes
      continue;
    }
    r.failed.push_back(user);
    r.no_space = r.no_space || delivered.error().no_space;
    if (r.error.empty()) r.error = delivered.error().message;
  }
  return r;
}

queue::LocalResult MailServer::deliver_queued(const std::string& sender, const std::string& recipient,
                                              std::string_view message, const std::string& delivery_id,
                                              std::string& error) {
  const std::size_t at = recipient.rfind('@');
  const std::string_view local =
      at == std::string::npos ? std::string_view(recipient) : std::string_view(recipient).substr(0, at);
  const std::string_view domain =
      at == std::string::npos ? std::string_view() : std::string_view(recipient).substr(at + 1);
  const auto snapshot = users();
  const smtp::RecipientVerdict v = snapshot->classify(local, domain);
  if (v.kind == smtp::RecipientKind::Remote) return queue::LocalResult::NotLocal;
  if (v.kind == smtp::RecipientKind::UnknownLocal) {
    error = "550 5.1.1 <" + recipient + ">: no such user here";
    return queue::LocalResult::Unknown;
  }
  const std::filesystem::path box = config_.users_dir() / v.local_user;
  if (auto ok = maildir::ensure(box); !ok) {
    error = ok.error();
    return queue::LocalResult::Deferred;
  }
  // The delivery id in the name ("Q<id>"), so that a retry after a crash between the rename and the queue's
  // update finds the copy and delivers nothing (the relay's exactly-once promise for local mail).
  std::string tag;
  for (const char c : delivery_id) tag += (c == '.' || c == '/' || c == ':' || c == ',') ? '_' : c;
  const std::string needle = "Q" + tag + ".";
  for (const char* folder : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(box / folder, ec)) {
      if (e.path().filename().string().find(needle) != std::string::npos)
        return queue::LocalResult::Delivered;
    }
  }
  // The final delivery adds Return-Path (RFC 5321 §4.4), unless the queued copy has it already (local
  // recipients queued after a failed first delivery carry the session's trace headers whole).
  const std::string return_path = "Return-Path: <" + sender + ">\r\n";
  const bool has_return_path = message.size() >= 12 && text::iequals(message.substr(0, 12), "Return-Path:");
  std::vector<std::string_view> parts;
  if (!has_return_path) parts.push_back(return_path);
  parts.push_back(message);
  auto delivered = maildir_.deliver_tagged(box, parts, tag);
  if (!delivered) {
    error = delivered.error().message;
    return queue::LocalResult::Deferred;
  }
  store_.delivered(v.local_user);
  counters_.delivered->inc(1, 0);
  return queue::LocalResult::Delivered;
}

}  // namespace endhost::mail::server
