// The relay's decisions, sans-I/O so the unit tests can replay them with a ManualClock: when to try again
// (Postfix's backoff), when to give up (the queue lifetime), what an SMTP reply or a DNS answer means for a
// recipient, and which hosts to try for a domain (RFC 5321 §5.1, RFC 7505).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "mail/dns/mail_dns_types.hpp"
#include "mail/queue/queue_entry.hpp"

namespace endhost::mail::queue {

struct RetryPolicy {
  std::chrono::seconds retry_min{300};           // Postfix minimal_backoff_time
  std::chrono::seconds retry_max{4000};          // maximal_backoff_time
  std::chrono::seconds lifetime{5 * 24 * 3600};  // maximal_queue_lifetime
};

// After a failed attempt at `now`, the next one: Postfix's qmgr waits as long as the mail has been queued,
// but at least retry_min and at most retry_max (so the waits roughly double: 5 min, 10, 20, 40, 66, 66…).
core::WallTime next_try_after(core::WallTime arrival, core::WallTime now, const RetryPolicy& policy);

// Whether a mail that arrived at `arrival` has been queued longer than the lifetime.
bool expired(core::WallTime arrival, core::WallTime now, const RetryPolicy& policy);

enum class Verdict { Delivered, Deferred, Failed };

// The result of one attempt for one recipient.
struct Attempt {
  Verdict verdict = Verdict::Deferred;
  std::string status;  // enhanced status code, "2.0.0", "4.4.1", "5.1.1"
  std::string detail;  // the reply ("550 5.1.1 <bob@x>: no such user") or the error
  std::string remote;  // "mx.hamburger.edu[127.0.0.3]:25", "local", or ""
};

// An SMTP reply as a verdict: 2xx delivered, 4xx deferred, 5xx failed (RFC 5321 §4.2.1); code 0 (the
// connection failed or dropped) deferred. The status is the reply's enhanced code (RFC 3463) when it
// starts with one, else the class's generic one (X.0.0; 4.4.1 for no answer).
Attempt attempt_from_reply(int code, std::string_view text, std::string remote);

// Applies an attempt to a recipient at `now`: Delivered and Failed are final; Deferred sets next_try by the
// backoff, or fails the recipient (4.4.7, delivery time expired) once the mail outlived the lifetime.
void apply(RecipientStatus& recipient, const Attempt& attempt, core::WallTime arrival, core::WallTime now,
           const RetryPolicy& policy);

// Where to send mail for a domain.
struct NextHops {
  enum class Kind { Hosts, Defer, Fail } kind = Kind::Defer;
  std::vector<std::string> hosts;  // in the order to try
  bool implicit = false;           // no MX: the domain itself (RFC 5321 §5.1)
  std::string status, detail;      // for Defer and Fail
};

// The MX answer for `domain` as a list of hosts: by preference; when `self` (our hostname) is among them,
// only those more preferred than it (RFC 5321 §5.1: a backup MX must not send to itself or its backups);
// NoData: the domain itself; a lone null MX: the domain accepts no mail (RFC 7505 §3, 5.1.10); NxDomain:
// 5.1.2; TempFail: deferred (4.4.3).
NextHops next_hops(std::string_view domain, dns::LookupStatus status, const std::vector<dns::MxHost>& mx,
                   std::string_view self = {});

// The domain of an address (after the last '@'), lower-cased; "" when there is none.
std::string domain_of(std::string_view address);

}  // namespace endhost::mail::queue
