// SPF (RFC 7208): check_host() as a sans-I/O step machine. The caller asks next(); it returns either a DNS
// question (TXT, addresses, MX) or the verdict; the caller answers the question with answer() and asks again.
// src/mail/checks drives it over mail::dns::MailDns; tests answer from tables.
//
//   spf::Check check({client, mail_from, helo});
//   while (auto* q = std::get_if<spf::Query>(&(step = check.next()))) check.answer(lookup(*q));
//
// How it works: each next() evaluates the whole policy again from the top, with every answer given so far
// remembered, and stops at the first question without an answer. Evaluation is deterministic, so each run
// retraces the last one and gets one step further; the policy is ordinary recursive code (include, redirect)
// and needs no hand-written continuation. The limits bound the work: at most 10 terms that query DNS
// (§4.6.4), 10 MX hosts per mx (§4.6.4), 2 void lookups (§4.6.4), so a check asks a few dozen questions.
//
// Supported: every mechanism (all, include, a, mx, ptr, ip4, ip6, exists) with dual CIDR lengths, the
// qualifiers, redirect=, exp= (parsed and checked, never fetched: the explanation is for rejections, which
// this server makes with its own text), unknown modifiers ignored, every macro letter (§7: p is "unknown", as
// §7.3 allows; c, r and t only in exp), transformers and delimiters, URL escaping of upper-case macros.
// Departure: ptr (which §5.5 says not to use) counts as a lookup and never matches, since MailDns has no PTR
// question; a policy that relies on it gets the result it would get without it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace endhost::mail::spf {

// §2.6.
enum class Result { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
std::string_view result_name(
    Result r);  // "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"

inline constexpr int kMaxDnsTerms = 10;    // §4.6.4
inline constexpr int kMaxVoidLookups = 2;  // §4.6.4
inline constexpr std::size_t kMaxMxHosts = 10;

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first four
  bool v6 = false;
  // Dotted quad or RFC 4291 text; an IPv4-mapped IPv6 address is its IPv4 address (§5: "the IPv4 address is
  // used"). nullopt if neither.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::array<std::uint8_t, 4> a);
  static IpAddress from_v6(const std::array<std::uint8_t, 16>& a);  // mapped IPv4 becomes IPv4
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

enum class DnsStatus { Ok, NxDomain, NoData, TempFail };

struct Query {
  enum class Type { Txt, Addresses /* A and AAAA */, Mx };
  Type type = Type::Txt;
  std::string name;  // no trailing dot
  friend bool operator==(const Query&, const Query&) = default;
};

struct Answer {
  DnsStatus status = DnsStatus::NxDomain;
  std::vector<std::string> texts;    // Txt: each record's strings joined; Mx: the hosts ("" for null MX)
  std::vector<IpAddress> addresses;  // Addresses
};

struct Verdict {
  Result result = Result::None;
  std::string reason;  // which term decided, or why it failed ("more than 10 DNS lookups")
  std::string domain;  // the domain checked (the MAIL FROM domain, or the HELO name)
};

struct Input {
  IpAddress client;
  std::string mail_from;  // the reverse-path without <>, "" for the null path
  std::string helo;       // the HELO/EHLO argument
};

class Check {
 public:
  // §2.4: the MAIL FROM identity, or for <> the HELO identity, whose sender is postmaster@HELO. A domain that
  // is not a multi-label name (an address literal as HELO) gives none without a question (§4.3).
  explicit Check(Input input);

  std::variant<Query, Verdict> next();
  // The answer to the Query next() returned last.
  void answer(Answer a);

  // How many distinct questions have been asked so far.
  std::size_t questions() const { return cache_.size(); }

 private:
  Input input_;
  std::string sender_, local_, sender_domain_, domain_;
  std::map<std::pair<int, std::string>, Answer> cache_;
  std::optional<Query> asked_;
};

}  // namespace endhost::mail::spf
