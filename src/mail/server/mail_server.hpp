// What every SMTP and POP3 session of one `mail` service shares: the checked configuration, the users file
// and the recipient map built from it (re-read on SIGHUP, swapped atomically: a session keeps the snapshot it
// began with), the blocking pool (Maildir fsyncs, password checks, the store's reads), the Maildir writer,
// the mail store the access protocols read through, the TLS context for STARTTLS, the transaction ids and
// the counters. Thread-safe where several loops touch it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_db.hpp"
#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "core/connection.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/tls_server_context.hpp"
#include "core/transcript.hpp"
#include "mail/checks/signer.hpp"
#include "mail/dns/mail_dns.hpp"
#include "mail/maildir/maildir.hpp"
#include "mail/queue/queue_store.hpp"
#include "mail/queue/relay.hpp"
#include "mail/server/mail_options.hpp"
#include "mail/server/recipients.hpp"
#include "mail/store/store.hpp"
#include "smtp/server_session.hpp"

namespace endhost::mail::server {

struct MailCounters {
  core::Counter* sessions = nullptr;
  core::Counter* commands = nullptr;
  core::Counter* messages = nullptr;            // accepted: 250 after the end of data
  core::Counter* delivered = nullptr;           // copies written to local mailboxes
  core::Counter* queued = nullptr;              // messages written to the queue for remote recipients
  core::Counter* deferred = nullptr;            // 4xx at the end of data (the client keeps the message)
  core::Counter* rejected = nullptr;            // 5xx at the end of data (policy: SPF, DKIM)
  core::Counter* refused_recipients = nullptr;  // RCPT refused (unknown user, relay denied)
  core::Counter* logins = nullptr;
  core::Counter* login_failures = nullptr;
  core::Counter* starttls = nullptr;
  core::Counter* pipelining_violations = nullptr;
  core::Counter* received_bytes = nullptr;  // message bytes accepted
};

// The users file as the sessions see it: the users (for AUTH) and the recipient map over them. Implements
// smtp::RecipientPolicy for the session.
class UsersSnapshot final : public smtp::RecipientPolicy {
 public:
  UsersSnapshot(std::shared_ptr<const auth::UserDb> users, const MailConfig& config);
  smtp::RecipientVerdict classify(std::string_view local_part, std::string_view domain) const override;
  const auth::UserDb* users() const { return users_.get(); }
  const LocalRecipients& recipients() const { return recipients_; }

 private:
  std::shared_ptr<const auth::UserDb> users_;
  LocalRecipients recipients_;
  std::string first_domain_;
};

// What happened to the local copies of one message.
struct LocalDeliveryResult {
  std::size_t delivered = 0;        // users whose new/ has it
  std::vector<std::string> failed;  // users whose delivery failed (in order)
  bool no_space = false;            // a failure was ENOSPC/EDQUOT
  std::string error;                // the first failure's message
};

class MailServer {
 public:
  MailServer(MailConfig config, std::shared_ptr<const auth::UserDb> users, core::MetricsRegistry& metrics,
             core::Logger& log, core::Transcript transcript);

  const MailConfig& config() const { return config_; }
  core::BlockingPool& pool() { return pool_; }
  const core::Transcript& transcript() const { return transcript_; }
  core::Logger& log() { return log_; }
  const MailCounters& counters() const { return counters_; }

  // The mailboxes as POP3 (and IMAP) see them: DIR/users through mail/store (blocking: call it on pool()).
  store::Store& store() { return store_; }

  void set_tls(std::shared_ptr<core::TlsServerContext> tls) { tls_ = std::move(tls); }
  const std::shared_ptr<core::TlsServerContext>& tls() const { return tls_; }

  std::shared_ptr<const UsersSnapshot> users() const;
  // SIGHUP: re-reads --users and makes the new users' Maildirs; on error the previous users stay.
  Expected<void, std::string> reload_users();
  // Makes DIR/users/<name>/{tmp,new,cur} for every user of the snapshot; the first failure is returned.
  Expected<void, std::string> ensure_mailboxes(const UsersSnapshot& users);

  // A new transaction id (Received: … id ID, the 250's queue id for local mail): unique in this process
  // and, by its time part, across restarts.
  std::string next_transaction_id();

  // Writes `parts` (trace headers, then the message) into each user's Maildir, once per distinct user.
  // Blocks (fsync): call it on pool(). Thread-safe. Also the queue's way back to local delivery (bounces).
  LocalDeliveryResult deliver_local(std::span<const std::string> users,
                                    std::span<const std::string_view> parts);

  // The queue (DIR/queue) and its relay, for remote recipients. Set once by the service before it starts.
  void set_queue(std::unique_ptr<queue::QueueStore> store) { queue_ = std::move(store); }
  queue::QueueStore* queue() { return queue_.get(); }
  // DKIM signing of outbound mail (the keys of DIR/dkim, one per --domain) and the lookups of the inbound
  // checks (SPF, DKIM). Set once by the service before it starts.
  void set_signer(std::shared_ptr<const checks::Signer> signer) { signer_ = std::move(signer); }
  const checks::Signer* signer() const { return signer_.get(); }
  void set_dns(std::shared_ptr<const dns::MailDns> dns) { dns_ = std::move(dns); }
  const dns::MailDns* dns() const { return dns_.get(); }
  void set_relay(queue::Relay* relay) { relay_ = relay; }
  queue::Relay* relay() { return relay_; }
  // The relay's way into the mailboxes (RelayConfig::local_delivery): bounces to local senders, and local
  // recipients whose first delivery failed. Exactly once per `delivery_id`, which is part of the file name.
  // Blocks. Thread-safe.
  queue::LocalResult deliver_queued(const std::string& sender, const std::string& recipient,
                                    std::string_view message, const std::string& delivery_id,
                                    std::string& error);

 private:
  MailConfig config_;
  core::BlockingPool pool_;
  core::Logger& log_;
  core::Transcript transcript_;
  std::shared_ptr<core::TlsServerContext> tls_;
  MailCounters counters_;
  maildir::Writer maildir_;
  store::Store store_;
  std::atomic<std::uint64_t> id_counter_{0};

  std::unique_ptr<queue::QueueStore> queue_;
  queue::Relay* relay_ = nullptr;
  std::shared_ptr<const checks::Signer> signer_;
  std::shared_ptr<const dns::MailDns> dns_;

  mutable std::mutex users_mutex_;
  std::shared_ptr<const UsersSnapshot> users_;
};

// One SMTP connection, from the greeting to QUIT (or a timeout, a limit, a drain). `submission`: the
// connection came to --submission-listen (RFC 6409).
awaitable<void> serve_smtp(core::Connection& conn, MailServer& server, bool submission);
// Past --max-connections: 421 and close (RFC 5321 §3.8).
awaitable<void> refuse_smtp(core::Connection& conn, std::string hostname);

}  // namespace endhost::mail::server
