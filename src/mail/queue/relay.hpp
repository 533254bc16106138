// The queue manager: delivers what QueueStore holds to the next hop found by MX (RFC 5321 §5.1), with
// Postfix's retry schedule, and bounces what cannot be delivered (RFC 3464). docs/internals/mail-queue.md.
//
// It runs on loop 0 of the EventLoops it is given; store writes go to a blocking pool it owns. Delivery is
// at-least-once at the remote end: a crash between the next hop's 250 and the envelope's update sends the
// mail again after the restart, as Postfix does. Local delivery (bounces for local senders) is exactly once
// because LocalDelivery is given an id it must not deliver twice.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/host_port.hpp"
#include "core/socket_place.hpp"
#include "core/transcript.hpp"
#include "mail/dns/mail_dns.hpp"
#include "mail/queue/queue_store.hpp"

namespace endhost::mail::checks {
class Signer;
}

namespace endhost::mail::queue {

// What LocalDelivery did with one recipient.
enum class LocalResult {
  NotLocal,   // not a local address: the relay delivers it by MX
  Delivered,  // durably in the mailbox (or was already, for this delivery_id)
  Deferred,   // could not write now (disk full, …): tried again later
  Unknown,    // a local domain but no such user: fails (bounced unless the mail is a bounce)
};

// Set by the mail service: puts `message` into the mailbox of `recipient` if it is local. Blocking (fsync):
// the relay calls it on its blocking pool. `delivery_id` ("<queue id>.<recipient index>") is the same on
// every retry of that recipient, and a second call with an id already delivered must deliver nothing.
// `sender` is the envelope's reverse-path ("" for a bounce): the final delivery's Return-Path (RFC 5321
// §4.4).
using LocalDelivery =
    std::function<LocalResult(const std::string& sender, const std::string& recipient,
                              std::string_view message, const std::string& delivery_id, std::string& error)>;

struct RelayConfig {
  std::string hostname;                          // EHLO name, Reporting-MTA, MAILER-DAEMON@hostname
  std::chrono::seconds retry_min{300};           // Postfix minimal_backoff_time
  std::chrono::seconds retry_max{4000};          // maximal_backoff_time
  std::chrono::seconds lifetime{5 * 24 * 3600};  // maximal_queue_lifetime (and bounce_queue_lifetime)
  std::chrono::seconds run_interval{300};        // queue_run_delay: how often the whole queue is scanned
  std::uint16_t port = 25;                       // the port the next hop listens on (the lab uses its own)
  std::optional<core::HostPort> relay_host;      // smarthost: every message goes there (Postfix relayhost)
  bool require_tls = false;                      // no STARTTLS offered: deferred, never sent in clear
  std::size_t max_parallel = 20;                 // deliveries at once (Postfix default_process_limit-ish)
  std::optional<asio::ip::address> source;       // dial from here (a lab host's own address)
  core::SocketPlace place{};                     // with sockets made here (a lab host's namespace)
  std::chrono::seconds connect_timeout{30};      // Postfix smtp_connect_timeout
  LocalDelivery local_delivery;                  // unset: every recipient goes by MX
  const core::Clock* clock = nullptr;            // null: the system clock (tests inject a ManualClock)
};

struct RecentDelivery {
  core::WallTime when{};
  std::string id;
  std::string recipient;
  std::string outcome;  // "delivered", "deferred", "bounced"
  std::string relay;    // "mx.hamburger.edu[127.0.0.3]:25", "local"
  bool tls = false;
  std::string detail;  // the reply or the error
};

struct RelayStats {
  std::size_t queued = 0;                                  // mails in the queue now
  std::uint64_t delivered = 0, deferred = 0, bounced = 0;  // recipients, since start
  std::uint64_t attempts = 0;                              // connections tried
  std::vector<RecentDelivery> recent;                      // newest last, at most 50
};

class Relay {
 public:
  Relay(core::EventLoops& loops, QueueStore& store, RelayConfig config,
        std::shared_ptr<const dns::MailDns> dns, core::Transcript trace,
        std::shared_ptr<checks::Signer> signer = nullptr);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Begins the queue runs on loop 0 (call once the loops run or before run()).
  void start();
  // A new mail was queued: try it now. Thread-safe.
  void kick();
  // Ends the runs and waits for deliveries in flight (their state is on disk whatever happens).
  awaitable<void> stop();
  // Thread-safe.
  RelayStats stats() const;

  struct State;  // relay.cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace endhost::mail::queue
