#include "mail/checks/authentication_results.hpp"

#include <chrono>

#include "mail/dkim/canonicalization.hpp"

namespace endhost::mail::checks {

namespace {

spf::IpAddress to_spf(const asio::ip::address& a) {
  if (a.is_v4()) return spf::IpAddress::v4(a.to_v4().to_bytes());
  return spf::IpAddress::from_v6(a.to_v6().to_bytes());
}

spf::DnsStatus to_spf(dns::LookupStatus s) {
  switch (s) {
    case dns::LookupStatus::Ok:
      return spf::DnsStatus::Ok;
    case dns::LookupStatus::NxDomain:
      return spf::DnsStatus::NxDomain;
    case dns::LookupStatus::NoData:
      return spf::DnsStatus::NoData;
    case dns::LookupStatus::TempFail:
      return spf::DnsStatus::TempFail;
  }
  return spf::DnsStatus::TempFail;
}

// RFC 2045 token characters (RFC 8601 §2.2 value = token / quoted-string), plus '@' of an address.
bool token_char(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("()<>,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

std::string pvalue(std::string_view v) {
  bool token = !v.empty();
  for (char c : v)
    if (!token_char(c)) token = false;
  if (token) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c < 0x20 || c == 0x7f) continue;  // no control character, CR or LF reaches the header
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string quoted(std::string_view reason) {
  std::string out = "\"";
  for (char c : reason) {
    if (c < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

bool CheckResults::dkim_failed() const {
  if (dkim.empty()) return false;
  bool broken = false;
  for (const dkim::Verdict& v : dkim) {
    if (v.status == dkim::Status::Pass) return false;
    if (v.status == dkim::Status::Fail || v.status == dkim::Status::PermError) broken = true;
  }
  return broken;
}

awaitable<spf::Verdict> check_spf(const dns::MailDns& dns, asio::ip::address client_ip, std::string mail_from,
                                  std::string helo) {
  spf::Check check(spf::Input{to_spf(client_ip), std::move(mail_from), std::move(helo)});
  for (std::size_t asked = 0; asked <= kMaxSpfQuestions; ++asked) {
    auto step = check.next();
    if (auto* verdict = std::get_if<spf::Verdict>(&step)) {
      spf::Verdict done = std::move(*verdict);
      co_return done;
    }
    const spf::Query query = std::get<spf::Query>(step);
    std::string name = query.name;
    spf::Answer answer;
    if (query.type == spf::Query::Type::Txt) {
      auto [status, texts] = co_await dns.txt(std::move(name));
      answer.status = to_spf(status);
      answer.texts = std::move(texts);
    } else if (query.type == spf::Query::Type::Mx) {
      auto [status, hosts] = co_await dns.mx(std::move(name));
      answer.status = to_spf(status);
      for (dns::MxHost& h : hosts) answer.texts.push_back(std::move(h.host));
    } else {
      auto [status, addresses] = co_await dns.addresses(std::move(name));
      answer.status = to_spf(status);
      for (const asio::ip::address& a : addresses) answer.addresses.push_back(to_spf(a));
    }
    check.answer(std::move(answer));
  }
  spf::Verdict too_many{spf::Result::TempError, "too many DNS questions", ""};
  co_return too_many;
}

awaitable<std::vector<dkim::Verdict>> verify_dkim(const dns::MailDns& dns, std::string_view message,
                                                  std::int64_t now) {
  std::vector<dkim::Verdict> out;
  auto verification = dkim::Verification::start(message);
  if (!verification) {
    // A header section that cannot be read: reported as a broken signature only if it has one.
    if (message.find("DKIM-Signature:") != std::string_view::npos ||
        message.find("dkim-signature:") != std::string_view::npos) {
      dkim::Verdict broken;
      broken.status = dkim::Status::PermError;
      broken.reason = verification.error();
      out.push_back(std::move(broken));
    }
    co_return out;
  }
  for (std::size_t i = 0; i < verification->count(); ++i) {
    std::optional<std::string> name = verification->key_query(i);
    if (!name) {
      out.push_back(verification->finish(i, dkim::KeyLookup::NotFound, {}, now));
      continue;
    }
    std::string query = std::move(*name);
    auto [status, records] = co_await dns.txt(std::move(query));
    const dkim::KeyLookup lookup = status == dns::LookupStatus::Ok         ? dkim::KeyLookup::Found
                                   : status == dns::LookupStatus::TempFail ? dkim::KeyLookup::TempFail
                                                                           : dkim::KeyLookup::NotFound;
    out.push_back(verification->finish(i, lookup, records, now));
  }
  co_return out;
}

awaitable<CheckResults> run_checks(const dns::MailDns& dns, std::string authserv_id, std::string_view message,
                                   asio::ip::address client_ip, std::string mail_from, std::string helo,
                                   core::WallTime now) {
  CheckResults r;
  r.spf_helo = mail_from.empty();
  std::string from_copy = mail_from, helo_copy = helo;
  r.spf = co_await check_spf(dns, client_ip, std::move(from_copy), std::move(helo_copy));
  r.spf_identity = r.spf.domain;
  const std::int64_t seconds = now.time_since_epoch().count();
  r.dkim = co_await verify_dkim(dns, message, seconds);
  r.header = format_authentication_results(authserv_id, r.spf, r.spf_helo, r.spf_identity, r.dkim);
  co_return r;
}

awaitable<std::string> authentication_results(const dns::MailDns& dns, std::string authserv_id,
                                              std::string_view message, asio::ip::address client_ip,
                                              std::string mail_from, std::string helo) {
  const core::WallTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  CheckResults r = co_await run_checks(dns, std::move(authserv_id), message, client_ip, std::move(mail_from),
                                       std::move(helo), now);
  co_return std::move(r.header);
}

std::string format_authentication_results(std::string_view authserv_id, const spf::Verdict& spf,
                                          bool spf_helo, std::string_view spf_identity,
                                          const std::vector<dkim::Verdict>& dkim) {
  std::vector<std::string> results;
  {
    // RFC 8601 §2.7.2: smtp.mailfrom, or smtp.helo when the HELO identity was checked (RFC 7208 §9.1).
    std::string s = "spf=" + std::string(spf::result_name(spf.result));
    if (spf.result != spf::Result::Pass && !spf.reason.empty()) s += " reason=" + quoted(spf.reason);
    if (!spf_identity.empty())
      s += std::string(spf_helo ? " smtp.helo=" : " smtp.mailfrom=") + pvalue(spf_identity);
    results.push_back(std::move(s));
  }
  if (dkim.empty()) results.emplace_back("dkim=none");
  for (const dkim::Verdict& v : dkim) {
    std::string s = "dkim=" + std::string(dkim::status_name(v.status));
    if (!v.reason.empty()) s += " reason=" + quoted(v.reason);
    if (!v.domain.empty()) s += " header.d=" + pvalue(v.domain);
    if (!v.selector.empty()) s += " header.s=" + pvalue(v.selector);
    results.push_back(std::move(s));
  }
  std::string field = "Authentication-Results: " + pvalue(authserv_id);
  std::size_t column = field.size();
  for (const std::string& r : results) {
    field += ';';
    ++column;
    if (column + 1 + r.size() > 78) {
      field += "\r\n\t";
      column = 1;
    } else {
      field += ' ';
      ++column;
    }
    field += r;
    column += r.size();
  }
  field += "\r\n";
  return field;
}

std::string remove_forged_results(std::string_view message, std::string_view authserv_id) {
  auto split = dkim::split_message(message);
  if (!split) return std::string(message);
  std::string out;
  bool removed = false;
  for (const dkim::HeaderField& f : split->headers) {
    if (dkim::iequals(f.name, "authentication-results")) {
      // The authserv-id is the first token of the value (RFC 8601 §2.2), before ';' or white space.
      std::string_view v = f.value;
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r' || v.front() == '\n'))
        v.remove_prefix(1);
      const std::size_t end = v.find_first_of("; \t\r\n");
      std::string_view id = v.substr(0, end);
      if (id.size() >= 2 && id.front() == '"' && id.back() == '"') id = id.substr(1, id.size() - 2);
      if (dkim::iequals(id, authserv_id)) {
        removed = true;
        continue;
      }
    }
    out += f.raw;
  }
  if (!removed) return std::string(message);
  // The empty line and the body follow the last field as they were.
  const dkim::HeaderField& last = split->headers.back();
  out += message.substr(static_cast<std::size_t>(last.raw.data() - message.data()) + last.raw.size());
  return out;
}

}  // namespace endhost::mail::checks
