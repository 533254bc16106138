#include "mail/spf/spf.hpp"

#include <algorithm>

#include "core/expected.hpp"
#include "dns/address.hpp"

namespace endhost::mail::spf {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// ---- Records (§4.6, §12 grammar) -------------------------------------------------------------------------

enum class Mech { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };

struct Directive {
  Result qualifier = Result::Pass;
  Mech mech = Mech::All;
  std::string domain_spec;  // "" when the term has none (the current domain is meant)
  int cidr4 = 32, cidr6 = 128;
  IpAddress network;
  std::string text;  // the term as written, for the reason
};

struct Record {
  std::vector<Directive> directives;
  std::optional<std::string> redirect;
};

// §7.1: macro-string = *( macro-expand / macro-literal ); c, r and t only in exp (§7.2).
Expected<void, std::string> validate_macro_string(std::string_view s, bool in_exp) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '%') {
      if (c < 0x21 || c > 0x7e) return Unexpected(std::string("a character outside macro-literal"));
      continue;
    }
    if (i + 1 >= s.size()) return Unexpected(std::string("a '%' at the end"));
    const char n = s[++i];
    if (n == '%' || n == '_' || n == '-') continue;
    if (n != '{') return Unexpected(std::string("'%' not followed by {, %, _ or -"));
    if (++i >= s.size()) return Unexpected(std::string("an unterminated macro"));
    const char letter = static_cast<char>(lower(std::string_view(&s[i], 1))[0]);
    if (std::string_view("slodiphcrtv").find(letter) == std::string_view::npos)
      return Unexpected(std::string("an unknown macro letter ") + s[i]);
    if (!in_exp && (letter == 'c' || letter == 'r' || letter == 't'))
      return Unexpected(std::string("macro ") + s[i] + " outside exp=");
    ++i;
    std::size_t digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
    if (digits > 0 && s[i - digits] == '0' && digits == 1)
      return Unexpected(std::string("a transformer of 0"));
    if (digits > 3) return Unexpected(std::string("a transformer too large"));
    if (i < s.size() && (s[i] == 'r' || s[i] == 'R')) ++i;
    while (i < s.size() && std::string_view(".-+,/_=").find(s[i]) != std::string_view::npos) ++i;
    if (i >= s.size() || s[i] != '}') return Unexpected(std::string("an unterminated macro"));
  }
  return {};
}

// §4.6.1 domain-spec: a macro-string; without macros it must end in a top label that is not all digits.
Expected<void, std::string> validate_domain_spec(std::string_view s) {
  if (s.empty()) return Unexpected(std::string("an empty domain-spec"));
  if (auto ok = validate_macro_string(s, false); !ok) return ok;
  if (s.find('%') == std::string_view::npos) {
    std::string_view d = s;
    if (d.back() == '.') d.remove_suffix(1);
    const std::size_t dot = d.rfind('.');
    if (dot == std::string_view::npos) return Unexpected("not a domain: " + std::string(s));
    const std::string_view top = d.substr(dot + 1);
    if (top.empty() || std::all_of(top.begin(), top.end(), is_digit))
      return Unexpected("not a domain: " + std::string(s));
  }
  return {};
}

// "/N" with N in 0..max, no leading zero (§5.6 ip4-cidr-length).
std::optional<int> cidr_length(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  int v = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// Strips a dual-cidr-length from the end of `arg` (§5.6: [ip4-cidr-length] [ "/" ip6-cidr-length ]).
Expected<void, std::string> take_dual_cidr(std::string& arg, Directive& d) {
  const std::size_t dd = arg.find("//");
  if (dd != std::string::npos) {
    auto v6 = cidr_length(std::string_view(arg).substr(dd + 2), 128);
    if (!v6) return Unexpected("a bad IPv6 CIDR length in " + d.text);
    d.cidr6 = *v6;
    arg.resize(dd);
  }
  const std::size_t slash = arg.rfind('/');
  if (slash != std::string::npos) {
    auto v4 = cidr_length(std::string_view(arg).substr(slash + 1), 32);
    if (!v4) return Unexpected("a bad IPv4 CIDR length in " + d.text);
    d.cidr4 = *v4;
    arg.resize(slash);
  }
  return {};
}

Expected<Record, std::string> parse_record(std::string_view text) {
  Record rec;
  bool seen_exp = false;
  // "v=spf1" was checked by the caller; terms follow, separated by one or more SP (§4.6.1, §12).
  std::size_t i = 6;
  while (i < text.size()) {
    if (text[i] != ' ') return Unexpected(std::string("terms must be separated by spaces"));
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view term = text.substr(i, end - i);
    i = end;

    // A modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    std::size_t n = 0;
    if (is_alpha(term[0])) {
      n = 1;
      while (n < term.size() &&
             (is_alpha(term[n]) || is_digit(term[n]) || term[n] == '-' || term[n] == '_' || term[n] == '.'))
        ++n;
    }
    if (n > 0 && n < term.size() && term[n] == '=') {
      const std::string name = lower(term.substr(0, n));
      const std::string_view value = term.substr(n + 1);
      if (name == "redirect") {
        // §6: each at most once.
        if (rec.redirect) return Unexpected(std::string("redirect= twice"));
        if (auto ok = validate_domain_spec(value); !ok) return Unexpected("redirect=: " + ok.error());
        rec.redirect = std::string(value);
      } else if (name == "exp") {
        if (seen_exp) return Unexpected(std::string("exp= twice"));
        seen_exp = true;
        if (auto ok = validate_domain_spec(value); !ok) return Unexpected("exp=: " + ok.error());
      } else {
        // §6: unknown modifiers are ignored, but their values must still be macro-strings.
        if (auto ok = validate_macro_string(value, true); !ok) return Unexpected(name + "=: " + ok.error());
      }
      continue;
    }

    Directive d;
    d.text = std::string(term);
    std::string_view t = term;
    switch (t[0]) {
      case '+':
        d.qualifier = Result::Pass, t.remove_prefix(1);
        break;
      case '-':
        d.qualifier = Result::Fail, t.remove_prefix(1);
        break;
      case '~':
        d.qualifier = Result::SoftFail, t.remove_prefix(1);
        break;
      case '?':
        d.qualifier = Result::Neutral, t.remove_prefix(1);
        break;
      default:
        break;
    }
    std::size_t name_end = 0;
    while (name_end < t.size() && t[name_end] != ':' && t[name_end] != '/') ++name_end;
    const std::string name = lower(t.substr(0, name_end));
    std::string rest(t.substr(name_end));  // ":arg…", "/cidr…" or ""
    const bool has_arg = !rest.empty() && rest[0] == ':';
    std::string arg = has_arg ? rest.substr(1) : std::string();
    if (name == "all") {
      if (!rest.empty()) return Unexpected("all takes nothing: " + d.text);
      d.mech = Mech::All;
    } else if (name == "include" || name == "exists" || name == "ptr") {
      d.mech = name == "include" ? Mech::Include : name == "exists" ? Mech::Exists : Mech::Ptr;
      if (!has_arg && (d.mech != Mech::Ptr || !rest.empty()))
        return Unexpected(name + " needs ':domain': " + d.text);
      if (has_arg) {
        if (auto ok = validate_domain_spec(arg); !ok) return Unexpected(d.text + ": " + ok.error());
        d.domain_spec = arg;
      }
    } else if (name == "a" || name == "mx") {
      d.mech = name == "a" ? Mech::A : Mech::Mx;
      if (has_arg) {
        if (auto ok = take_dual_cidr(arg, d); !ok) return Unexpected(ok.error());
        if (auto ok = validate_domain_spec(arg); !ok) return Unexpected(d.text + ": " + ok.error());
        d.domain_spec = arg;
      } else if (!rest.empty()) {
        if (auto ok = take_dual_cidr(rest, d); !ok) return Unexpected(ok.error());
        if (!rest.empty()) return Unexpected("a bad term: " + d.text);
      }
    } else if (name == "ip4" || name == "ip6") {
      if (!has_arg) return Unexpected(name + " needs an address: " + d.text);
      const bool v6 = name == "ip6";
      d.mech = v6 ? Mech::Ip6 : Mech::Ip4;
      const std::size_t slash = arg.find('/');
      if (slash != std::string::npos) {
        auto len = cidr_length(std::string_view(arg).substr(slash + 1), v6 ? 128 : 32);
        if (!len) return Unexpected("a bad CIDR length: " + d.text);
        (v6 ? d.cidr6 : d.cidr4) = *len;
        arg.resize(slash);
      }
      if (v6) {
        auto a = dns::parse_ipv6(arg);
        if (!a) return Unexpected("not an IPv6 address: " + d.text);
        d.network.bytes = *a;
        d.network.v6 = true;
      } else {
        auto a = dns::parse_ipv4(arg);
        if (!a) return Unexpected("not an IPv4 address: " + d.text);
        d.network = IpAddress::v4(*a);
      }
    } else {
      return Unexpected("an unknown mechanism: " + d.text);
    }
    rec.directives.push_back(std::move(d));
  }
  return rec;
}

bool in_network(const IpAddress& ip, const IpAddress& net, int bits) {
  if (ip.v6 != net.v6) return false;
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8, bit = 7 - i % 8;
    if (((ip.bytes[byte] >> bit) & 1) != ((net.bytes[byte] >> bit) & 1)) return false;
  }
  return true;
}

// A name as DNS is asked: no trailing dot, at most 253 octets by dropping labels from the left (§7.3:
// "If the expanded domain name exceeds 253 characters … the left side is truncated"). nullopt for an empty
// label or one over 63 octets: no such name can exist, so there is nothing to ask.
std::optional<std::string> dns_name(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  while (name.size() > 253) {
    const std::size_t dot = name.find('.');
    if (dot == std::string::npos) return std::nullopt;
    name.erase(0, dot + 1);
  }
  if (name.empty()) return std::nullopt;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return std::nullopt;
      label = 0;
    } else {
      ++label;
    }
  }
  return name;
}

// §4.3: a domain check_host() can work on: a multi-label name with labels of 1..63 octets.
// Host-name characters only (letters, digits, '-', '_'), and a top label that is not all digits: an address
// literal ("[192.0.2.1]", "192.0.2.1") is not a domain.
bool valid_domain(std::string_view d) {
  auto n = dns_name(std::string(d));
  if (!n || n->find('.') == std::string::npos) return false;
  for (char c : *n)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
  const std::string_view top = std::string_view(*n).substr(n->rfind('.') + 1);
  return !std::all_of(top.begin(), top.end(), is_digit);
}

// ---- Evaluation ------------------------------------------------------------------------------------------

struct Outcome {
  bool pending = false;  // stopped at a question not answered yet
  Result result = Result::None;
  std::string reason;
};

struct Run {
  const Input& input;
  const std::string& sender;
  const std::string& local;
  const std::string& sender_domain;
  const std::map<std::pair<int, std::string>, Answer>& cache;
  std::optional<Query> missing;
  int dns_terms = 0;
  int voids = 0;

  // The answer to a question, or nullptr (and `missing` set) when it has not been asked yet.
  const Answer* ask(Query::Type type, const std::string& name) {
    auto it = cache.find({static_cast<int>(type), lower(name)});
    if (it != cache.end()) return &it->second;
    missing = Query{type, lower(name)};
    return nullptr;
  }
};

std::string url_escape(std::string_view s) {
  // §7.3: upper-case macro letters are URL-escaped (RFC 3986 unreserved characters stay).
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string ip_macro(const IpAddress& ip) {
  if (!ip.v6) return ip.to_string();
  // §7.3: IPv6 "i" is the 32 nibbles in dotted form.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : ip.bytes) {
    if (!out.empty()) out += '.';
    out += kHex[b >> 4];
    out += '.';
    out += kHex[b & 15];
  }
  return out;
}

// §7.3 expansion of a macro-string already validated.
std::string expand(std::string_view s, const Run& run, const std::string& domain) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    if (n == '%') {
      out += '%';
      continue;
    }
    if (n == '_') {
      out += ' ';
      continue;
    }
    if (n == '-') {
      out += "%20";
      continue;
    }
    const char raw_letter = s[i + 1];
    i += 2;
    const char letter = static_cast<char>(lower(std::string_view(&raw_letter, 1))[0]);
    std::size_t keep = 0;
    while (is_digit(s[i])) keep = keep * 10 + static_cast<std::size_t>(s[i++] - '0');
    bool reverse = false;
    if (s[i] == 'r' || s[i] == 'R') reverse = true, ++i;
    std::string delimiters;
    while (s[i] != '}') delimiters += s[i++];
    if (delimiters.empty()) delimiters = ".";
    std::string value;
    switch (letter) {
      case 's':
        value = run.sender;
        break;
      case 'l':
        value = run.local;
        break;
      case 'o':
        value = run.sender_domain;
        break;
      case 'd':
        value = domain;
        break;
      case 'i':
        value = ip_macro(run.input.client);
        break;
      case 'p':
        value = "unknown";
        break;
      case 'v':
        value = run.input.client.v6 ? "ip6" : "in-addr";
        break;
      case 'h':
        value = run.input.helo;
        break;
      default:
        value = "";
        break;  // c, r, t: exp only, never expanded here
    }
    std::vector<std::string> parts(1);
    for (char c : value) {
      if (delimiters.find(c) != std::string::npos) {
        parts.emplace_back();
      } else {
        parts.back() += c;
      }
    }
    if (reverse) std::reverse(parts.begin(), parts.end());
    if (keep > 0 && keep < parts.size()) parts.erase(parts.begin(), parts.end() - static_cast<long>(keep));
    std::string joined;
    for (std::size_t k = 0; k < parts.size(); ++k) joined += (k ? "." : "") + parts[k];
    out += raw_letter >= 'A' && raw_letter <= 'Z' ? url_escape(joined) : joined;
  }
  return out;
}

Outcome stop(Result r, std::string reason) {
  return Outcome{false, r, std::move(reason)};
}
Outcome pending() {
  return Outcome{true, Result::None, {}};
}

enum class Match { Yes, No, Stop };

Outcome check_host(Run& run, const std::string& domain);

// Counts a void lookup (§4.6.4); more than two are a permerror.
bool void_lookup(Run& run) {
  return ++run.voids > kMaxVoidLookups;
}

// The addresses of `name` of the client's family. Stop (with `out`) on pending, temperror or too many voids.
Match addresses_of(Run& run, const std::string& name, std::vector<IpAddress>& found, Outcome& out) {
  const Answer* a = run.ask(Query::Type::Addresses, name);
  if (!a) return out = pending(), Match::Stop;
  if (a->status == DnsStatus::TempFail)
    return out = stop(Result::TempError, "DNS failure for " + name), Match::Stop;
  for (const IpAddress& ip : a->addresses)
    if (ip.v6 == run.input.client.v6) found.push_back(ip);
  if (found.empty() && void_lookup(run))
    return out = stop(Result::PermError, "more than 2 void DNS lookups"), Match::Stop;
  return Match::No;
}

Match evaluate(Run& run, const Directive& d, const std::string& domain, Outcome& out) {
  if (d.mech == Mech::All) return Match::Yes;
  if (d.mech == Mech::Ip4 || d.mech == Mech::Ip6)
    return in_network(run.input.client, d.network, d.mech == Mech::Ip4 ? d.cidr4 : d.cidr6) ? Match::Yes
                                                                                            : Match::No;
  // §4.6.4: include, a, mx, ptr and exists each count toward the limit of 10.
  if (++run.dns_terms > kMaxDnsTerms)
    return out = stop(Result::PermError, "more than 10 DNS lookups"), Match::Stop;
  const std::string target_text = d.domain_spec.empty() ? domain : expand(d.domain_spec, run, domain);
  const std::optional<std::string> target = dns_name(target_text);
  switch (d.mech) {
    case Mech::Ptr:
      return Match::No;  // see spf.hpp: no PTR question
    case Mech::Include: {
      if (!target || !valid_domain(*target))
        return out = stop(Result::PermError, "include of an invalid domain " + target_text), Match::Stop;
      Outcome inner = check_host(run, *target);
      if (inner.pending) return out = inner, Match::Stop;
      // §5.2: pass matches; fail, softfail and neutral do not; errors propagate; none is a permerror.
      switch (inner.result) {
        case Result::Pass:
          return Match::Yes;
        case Result::Fail:
        case Result::SoftFail:
        case Result::Neutral:
          return Match::No;
        case Result::TempError:
          return out = inner, Match::Stop;
        case Result::PermError:
          return out = inner, Match::Stop;
        case Result::None:
          return out = stop(Result::PermError, "include:" + *target + " has no SPF record"), Match::Stop;
      }
      return Match::No;
    }
    case Mech::Exists: {
      if (!target)
        return void_lookup(run) ? (out = stop(Result::PermError, "more than 2 void DNS lookups"), Match::Stop)
                                : Match::No;
      const Answer* a = run.ask(Query::Type::Addresses, *target);
      if (!a) return out = pending(), Match::Stop;
      if (a->status == DnsStatus::TempFail)
        return out = stop(Result::TempError, "DNS failure for " + *target), Match::Stop;
      // §5.7: an A query, whatever the client's family.
      for (const IpAddress& ip : a->addresses)
        if (!ip.v6) return Match::Yes;
      if (void_lookup(run)) return out = stop(Result::PermError, "more than 2 void DNS lookups"), Match::Stop;
      return Match::No;
    }
    case Mech::A: {
      if (!target) return Match::No;
      std::vector<IpAddress> found;
      if (addresses_of(run, *target, found, out) == Match::Stop) return Match::Stop;
      for (const IpAddress& ip : found)
        if (in_network(run.input.client, ip, run.input.client.v6 ? d.cidr6 : d.cidr4)) return Match::Yes;
      return Match::No;
    }
    case Mech::Mx: {
      if (!target) return Match::No;
      const Answer* a = run.ask(Query::Type::Mx, *target);
      if (!a) return out = pending(), Match::Stop;
      if (a->status == DnsStatus::TempFail)
        return out = stop(Result::TempError, "DNS failure for " + *target), Match::Stop;
      if (a->texts.empty() && void_lookup(run))
        return out = stop(Result::PermError, "more than 2 void DNS lookups"), Match::Stop;
      // §4.6.4: "the evaluation of each "MX" record MUST NOT result in querying more than 10 address
      // records".
      if (a->texts.size() > kMaxMxHosts)
        return out = stop(Result::PermError, "more than 10 MX hosts for " + *target), Match::Stop;
      for (const std::string& host : a->texts) {
        if (host.empty()) continue;  // null MX (RFC 7505)
        std::vector<IpAddress> found;
        if (addresses_of(run, host, found, out) == Match::Stop) return Match::Stop;
        for (const IpAddress& ip : found)
          if (in_network(run.input.client, ip, run.input.client.v6 ? d.cidr6 : d.cidr4)) return Match::Yes;
      }
      return Match::No;
    }
    default:
      return Match::No;
  }
}

Outcome check_host(Run& run, const std::string& domain) {
  // §4.4: the TXT records of the domain.
  const Answer* txt = run.ask(Query::Type::Txt, domain);
  if (!txt) return pending();
  if (txt->status == DnsStatus::TempFail) return stop(Result::TempError, "DNS failure for TXT of " + domain);
  // §4.5: records that begin with "v=spf1" followed by a space or nothing; more than one is a permerror.
  std::vector<const std::string*> records;
  for (const std::string& t : txt->texts)
    if (t.size() >= 6 && iequals(std::string_view(t).substr(0, 6), "v=spf1") &&
        (t.size() == 6 || t[6] == ' '))
      records.push_back(&t);
  if (records.empty()) return stop(Result::None, "no SPF record for " + domain);
  if (records.size() > 1) return stop(Result::PermError, "more than one SPF record for " + domain);
  auto rec = parse_record(*records.front());
  if (!rec) return stop(Result::PermError, domain + ": " + rec.error());

  for (const Directive& d : rec->directives) {
    Outcome out;
    const Match m = evaluate(run, d, domain, out);
    if (m == Match::Stop) return out;
    if (m == Match::Yes) return stop(d.qualifier, domain + ": matched " + d.text);
  }
  // §6.1: redirect= applies when no mechanism matched; it counts toward the limit.
  if (rec->redirect) {
    if (++run.dns_terms > kMaxDnsTerms) return stop(Result::PermError, "more than 10 DNS lookups");
    auto target = dns_name(expand(*rec->redirect, run, domain));
    if (!target || !valid_domain(*target)) return stop(Result::PermError, "redirect to an invalid domain");
    Outcome inner = check_host(run, *target);
    if (!inner.pending && inner.result == Result::None)
      return stop(Result::PermError, "redirect=" + *target + " has no SPF record");
    return inner;
  }
  // §4.7: no match and no redirect: neutral.
  return stop(Result::Neutral, domain + ": no mechanism matched");
}

}  // namespace

std::string_view result_name(Result r) {
  switch (r) {
    case Result::None:
      return "none";
    case Result::Neutral:
      return "neutral";
    case Result::Pass:
      return "pass";
    case Result::Fail:
      return "fail";
    case Result::SoftFail:
      return "softfail";
    case Result::TempError:
      return "temperror";
    case Result::PermError:
      return "permerror";
  }
  return "none";
}

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> a) {
  IpAddress ip;
  std::copy(a.begin(), a.end(), ip.bytes.begin());
  return ip;
}

IpAddress IpAddress::from_v6(const std::array<std::uint8_t, 16>& a) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, a.begin())) return v4({a[12], a[13], a[14], a[15]});
  IpAddress ip;
  ip.bytes = a;
  ip.v6 = true;
  return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (auto v4a = dns::parse_ipv4(text)) return v4(*v4a);
  if (auto v6a = dns::parse_ipv6(text)) return from_v6(*v6a);
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  if (v6) return dns::format_ipv6(bytes);
  return dns::format_ipv4({bytes[0], bytes[1], bytes[2], bytes[3]});
}

Check::Check(Input input) : input_(std::move(input)) {
  // §2.4: MAIL FROM's domain; for the null path the HELO identity, with the sender postmaster@HELO. A
  // reverse-path without a local part is postmaster@domain (§4.3).
  const std::size_t at = input_.mail_from.rfind('@');
  if (input_.mail_from.empty() || at == std::string::npos) {
    local_ = "postmaster";
    sender_domain_ = input_.mail_from.empty() ? input_.helo : input_.mail_from;
  } else {
    local_ = input_.mail_from.substr(0, at);
    if (local_.empty()) local_ = "postmaster";
    sender_domain_ = input_.mail_from.substr(at + 1);
  }
  sender_ = local_ + "@" + sender_domain_;
  domain_ = lower(sender_domain_);
  if (!domain_.empty() && domain_.back() == '.') domain_.pop_back();
}

std::variant<Query, Verdict> Check::next() {
  if (!valid_domain(domain_)) return Verdict{Result::None, "no domain to check", domain_};
  Run run{input_, sender_, local_, sender_domain_, cache_, std::nullopt, 0, 0};
  Outcome out = check_host(run, domain_);
  if (out.pending && run.missing) {
    asked_ = *run.missing;
    return *run.missing;
  }
  return Verdict{out.result, out.reason, domain_};
}

void Check::answer(Answer a) {
  if (!asked_) return;
  cache_[{static_cast<int>(asked_->type), asked_->name}] = std::move(a);
  asked_.reset();
}

}  // namespace endhost::mail::spf
