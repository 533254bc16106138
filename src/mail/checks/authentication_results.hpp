// Inbound checks for the mail service: SPF (RFC 7208) of the MAIL FROM domain, or of the HELO name for the
// null reverse-path, and DKIM verification (RFC 6376) of the message, each a coroutine that drives the
// sans-I/O core (mail/spf, mail/dkim) over mail::dns::MailDns, and the one Authentication-Results field
// (RFC 8601) that reports both:
//
//   Authentication-Results: hamburger.edu; spf=pass smtp.mailfrom=crepes.fr;
//   	dkim=pass header.d=crepes.fr header.s=lab
//
// Failures are reported, never acted on here: the mail service decides (--spf-reject, --dkim-reject) from
// CheckResults. Any loop; the coroutines keep no state beyond their frames, and `dns` and `message` must
// outlive them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/clock.hpp"
#include "mail/dkim/dkim.hpp"
#include "mail/dns/mail_dns.hpp"
#include "mail/spf/spf.hpp"

namespace endhost::mail::checks {

// SPF never asks more than this many questions for one message (the limits of RFC 7208 §4.6.4 keep a
// conforming policy far below it); past it the result is temperror.
inline constexpr std::size_t kMaxSpfQuestions = 120;

struct CheckResults {
  spf::Verdict spf;
  bool spf_helo = false;            // the HELO identity was checked (MAIL FROM was <>)
  std::string spf_identity;         // the domain checked
  std::vector<dkim::Verdict> dkim;  // one per signature looked at; empty: the message is not signed
  std::string header;               // the Authentication-Results field, with its CRLF

  bool spf_failed() const { return spf.result == spf::Result::Fail; }
  // Signed, no signature passed, and at least one failed or was broken (not merely a DNS failure).
  bool dkim_failed() const;
};

awaitable<spf::Verdict> check_spf(const dns::MailDns& dns, asio::ip::address client_ip, std::string mail_from,
                                  std::string helo);

// `now`: seconds since the epoch, for x= (signature expiry).
awaitable<std::vector<dkim::Verdict>> verify_dkim(const dns::MailDns& dns, std::string_view message,
                                                  std::int64_t now);

awaitable<CheckResults> run_checks(const dns::MailDns& dns, std::string authserv_id, std::string_view message,
                                   asio::ip::address client_ip, std::string mail_from, std::string helo,
                                   core::WallTime now);

// The brief's entry point: run_checks() at the system clock's time, only the header.
awaitable<std::string> authentication_results(const dns::MailDns& dns, std::string authserv_id,
                                              std::string_view message, asio::ip::address client_ip,
                                              std::string mail_from, std::string helo);

// The field for these results (RFC 8601 §2.2): "Authentication-Results: ID; spf=…; dkim=…\r\n", folded
// between results at 78 columns; property values quoted when they are not tokens, so that a hostile HELO or
// domain cannot add a result of its own.
std::string format_authentication_results(std::string_view authserv_id, const spf::Verdict& spf,
                                          bool spf_helo, std::string_view spf_identity,
                                          const std::vector<dkim::Verdict>& dkim);

// The message without the Authentication-Results fields that claim `authserv_id` (RFC 8601 §5: a border MTA
// "MUST … delete" fields a sender forged in its name). The message is returned unchanged when it has none.
std::string remove_forged_results(std::string_view message, std::string_view authserv_id);

}  // namespace endhost::mail::checks
