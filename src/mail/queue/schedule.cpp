#include "mail/queue/schedule.hpp"

#include <algorithm>
#include <optional>

namespace endhost::mail::queue {

core::WallTime next_try_after(core::WallTime arrival, core::WallTime now, const RetryPolicy& policy) {
  // qmgr_active.c: delay = now - arrival, clamped to [minimal_backoff_time, maximal_backoff_time].
  std::chrono::seconds delay = now > arrival ? now - arrival : std::chrono::seconds(0);
  delay = std::clamp(delay, policy.retry_min, std::max(policy.retry_min, policy.retry_max));
  return now + delay;
}

bool expired(core::WallTime arrival, core::WallTime now, const RetryPolicy& policy) {
  return now - arrival >= policy.lifetime;
}

namespace {

// A leading "X.Y.Z " with X the reply's class (RFC 3463 §2, RFC 2034 §4).
std::string enhanced_code(int code, std::string_view text) {
  const std::size_t end = text.find_first_of(" \n");
  const std::string_view word = text.substr(0, end);
  int dots = 0;
  bool ok = !word.empty() && word[0] - '0' == code / 100;
  for (char c : word) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      ok = false;
  }
  if (ok && dots == 2 && word.size() >= 5) return std::string(word);
  return {};
}

}  // namespace

Attempt attempt_from_reply(int code, std::string_view text, std::string remote) {
  Attempt a;
  a.remote = std::move(remote);
  if (code >= 200 && code < 300) {
    a.verdict = Verdict::Delivered;
    a.status = enhanced_code(code, text);
    if (a.status.empty()) a.status = "2.0.0";
  } else if (code >= 500 && code < 600) {
    a.verdict = Verdict::Failed;
    a.status = enhanced_code(code, text);
    if (a.status.empty()) a.status = "5.0.0";
  } else {
    a.verdict = Verdict::Deferred;
    a.status = code >= 400 && code < 500 ? enhanced_code(code, text) : std::string();
    if (a.status.empty()) a.status = code == 0 ? "4.4.1" : "4.0.0";
  }
  a.detail = code == 0 ? std::string(text) : std::to_string(code) + " " + std::string(text);
  // Multi-line replies come joined with "\n": one line in the queue and in mailq.
  std::replace(a.detail.begin(), a.detail.end(), '\n', ' ');
  return a;
}

void apply(RecipientStatus& r, const Attempt& a, core::WallTime arrival, core::WallTime now,
           const RetryPolicy& policy) {
  if (r.state != RecipientState::Pending) return;
  ++r.attempts;
  r.status = a.status;
  r.last_error = a.detail;
  r.remote = a.remote;
  switch (a.verdict) {
    case Verdict::Delivered:
      r.state = RecipientState::Delivered;
      break;
    case Verdict::Failed:
      r.state = RecipientState::Failed;
      break;
    case Verdict::Deferred:
      if (expired(arrival, now, policy)) {
        // RFC 3463 §3.5: X.4.7 delivery time expired; the last reason stays in the text.
        r.state = RecipientState::Failed;
        r.status = "4.4.7";
        r.last_error = "delivery time expired; last error: " + a.detail;
      } else {
        r.next_try = next_try_after(arrival, now, policy);
      }
      break;
  }
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d(address.substr(at + 1));
  if (!d.empty() && d.back() == '.') d.pop_back();
  std::transform(d.begin(), d.end(), d.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return d;
}

namespace {
bool same_name(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}
}  // namespace

NextHops next_hops(std::string_view domain, dns::LookupStatus status, const std::vector<dns::MxHost>& mx,
                   std::string_view self) {
  NextHops out;
  const std::string d(domain);
  switch (status) {
    case dns::LookupStatus::TempFail:
      out.kind = NextHops::Kind::Defer;
      out.status = "4.4.3";
      out.detail = "temporary DNS failure looking up the MX of " + d;
      return out;
    case dns::LookupStatus::NxDomain:
      out.kind = NextHops::Kind::Fail;
      out.status = "5.1.2";
      out.detail = "the domain " + d + " does not exist";
      return out;
    case dns::LookupStatus::NoData:
      // RFC 5321 §5.1: no MX, the domain itself is the implicit MX of preference 0.
      out.kind = NextHops::Kind::Hosts;
      out.implicit = true;
      out.hosts.push_back(d);
      return out;
    case dns::LookupStatus::Ok:
      break;
  }
  std::vector<dns::MxHost> sorted = mx;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const dns::MxHost& a, const dns::MxHost& b) { return a.preference < b.preference; });
  // RFC 7505 §3: a null MX (one record, ".", preference 0) says the domain accepts no mail; any other
  // records beside it are ignored by the same rule when "." is the only usable one.
  const bool has_null = std::any_of(sorted.begin(), sorted.end(),
                                    [](const dns::MxHost& h) { return h.host.empty() || h.host == "."; });
  if (has_null && sorted.size() == 1) {
    out.kind = NextHops::Kind::Fail;
    out.status = "5.1.10";
    out.detail = "the domain " + d + " accepts no mail (null MX, RFC 7505)";
    return out;
  }
  // RFC 5321 §5.1: if we are one of the MX hosts, only those of lower preference value may be tried.
  std::optional<std::uint16_t> own;
  if (!self.empty())
    for (const auto& h : sorted)
      if (same_name(h.host, self)) {
        own = h.preference;
        break;
      }
  for (const auto& h : sorted) {
    if (h.host.empty() || h.host == ".") continue;
    if (own && h.preference >= *own) continue;
    if (std::none_of(out.hosts.begin(), out.hosts.end(),
                     [&](const std::string& x) { return same_name(x, h.host); }))
      out.hosts.push_back(h.host);
  }
  if (out.hosts.empty()) {
    out.kind = own ? NextHops::Kind::Fail : NextHops::Kind::Defer;
    out.status = own ? "5.4.6" : "4.4.3";
    out.detail = own ? "mail for " + d + " loops back to myself (" + std::string(self) + " is its best MX)"
                     : "no usable MX host for " + d;
    return out;
  }
  out.kind = NextHops::Kind::Hosts;
  return out;
}

}  // namespace endhost::mail::queue
