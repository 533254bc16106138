#include "mail/dkim/signature.hpp"

#include "mail/dkim/base64.hpp"
#include "mail/dkim/tag_list.hpp"

namespace endhost::mail::dkim {

namespace {

std::optional<std::uint64_t> decimal(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::optional<Canon> canon_of(std::string_view s) {
  if (s == "simple") return Canon::Simple;
  if (s == "relaxed") return Canon::Relaxed;
  return std::nullopt;
}

}  // namespace

std::string_view algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::RsaSha256:
      return "rsa-sha256";
    case Algorithm::Ed25519Sha256:
      return "ed25519-sha256";
    case Algorithm::RsaSha1:
      return "rsa-sha1";
  }
  return "?";
}

bool valid_domain_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63) return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
    ++label;
  }
  return true;
}

Expected<Signature, std::string> parse_signature(std::string_view value) {
  auto parsed = parse_tag_list(value);
  if (!parsed) return Unexpected(parsed.error());
  const std::vector<Tag>& tags = *parsed;
  Signature sig;

  // §3.5 v=: "MUST have the value "1"".
  auto v = find_tag(tags, "v");
  if (!v) return Unexpected(std::string("no v= tag"));
  if (*v != "1") return Unexpected("v=" + std::string(*v) + " is not version 1");

  auto a = find_tag(tags, "a");
  if (!a) return Unexpected(std::string("no a= tag"));
  if (*a == "rsa-sha256") {
    sig.algorithm = Algorithm::RsaSha256;
  } else if (*a == "ed25519-sha256") {
    sig.algorithm = Algorithm::Ed25519Sha256;  // RFC 8463 §3
  } else if (*a == "rsa-sha1") {
    sig.algorithm = Algorithm::RsaSha1;
  } else {
    return Unexpected("unknown algorithm a=" + std::string(*a));
  }

  auto b = find_tag(tags, "b");
  if (!b) return Unexpected(std::string("no b= tag"));
  sig.b_text = strip_fws(*b);
  auto b_bytes = base64_decode(sig.b_text);
  if (!b_bytes || b_bytes->empty()) return Unexpected(std::string("b= is not base64"));
  sig.signature = std::move(*b_bytes);

  auto bh = find_tag(tags, "bh");
  if (!bh) return Unexpected(std::string("no bh= tag"));
  auto bh_bytes = base64_decode(strip_fws(*bh));
  if (!bh_bytes || bh_bytes->empty()) return Unexpected(std::string("bh= is not base64"));
  sig.body_hash = std::move(*bh_bytes);

  if (auto c = find_tag(tags, "c")) {
    const std::string_view text = *c;
    const std::size_t slash = text.find('/');
    auto header = canon_of(text.substr(0, slash));
    if (!header) return Unexpected("unknown canonicalization c=" + std::string(text));
    sig.header_canon = *header;
    if (slash != std::string_view::npos) {
      auto body = canon_of(text.substr(slash + 1));
      if (!body) return Unexpected("unknown canonicalization c=" + std::string(text));
      sig.body_canon = *body;
    }
  }

  auto d = find_tag(tags, "d");
  if (!d) return Unexpected(std::string("no d= tag"));
  if (!valid_domain_name(*d)) return Unexpected("d=" + std::string(*d) + " is not a domain name");
  sig.domain = std::string(*d);

  auto h = find_tag(tags, "h");
  if (!h) return Unexpected(std::string("no h= tag"));
  bool from_signed = false;
  std::string_view list = *h;
  while (true) {
    const std::size_t colon = list.find(':');
    const std::string_view name = trim(list.substr(0, colon));
    if (name.empty()) return Unexpected(std::string("an empty header name in h="));
    if (iequals(name, "from")) from_signed = true;
    sig.headers.emplace_back(name);
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
  // §6.1.1: "the From header field MUST be signed".
  if (!from_signed) return Unexpected(std::string("h= does not list From"));

  auto s = find_tag(tags, "s");
  if (!s) return Unexpected(std::string("no s= tag"));
  if (!valid_domain_name(*s)) return Unexpected("s=" + std::string(*s) + " is not a selector");
  sig.selector = std::string(*s);

  if (auto i = find_tag(tags, "i")) {
    const std::size_t at = i->rfind('@');
    if (at == std::string_view::npos) return Unexpected("i=" + std::string(*i) + " has no '@'");
    const std::string_view idomain = i->substr(at + 1);
    // §3.5 i=: the domain part "MUST be the same as, or a subdomain of, the value of the d= tag".
    const bool same = iequals(idomain, sig.domain);
    const bool below = idomain.size() > sig.domain.size() &&
                       iequals(idomain.substr(idomain.size() - sig.domain.size()), sig.domain) &&
                       idomain[idomain.size() - sig.domain.size() - 1] == '.';
    if (!same && !below) return Unexpected("i=" + std::string(*i) + " is not in d=" + sig.domain);
    sig.identity = std::string(*i);
  } else {
    sig.identity = "@" + sig.domain;
  }

  if (auto l = find_tag(tags, "l")) {
    // §3.5 allows 76 digits; a length past 19 digits is no body this server would hold.
    auto n = decimal(*l, 19);
    if (!n) return Unexpected("l=" + std::string(*l) + " is not a length");
    sig.body_length = *n;
  }

  if (auto q = find_tag(tags, "q")) {
    bool dns_txt = false;
    std::string_view methods = *q;
    while (true) {
      const std::size_t colon = methods.find(':');
      if (trim(methods.substr(0, colon)) == "dns/txt") dns_txt = true;
      if (colon == std::string_view::npos) break;
      methods.remove_prefix(colon + 1);
    }
    if (!dns_txt) return Unexpected("q=" + std::string(*q) + " has no dns/txt");
  }

  if (auto t = find_tag(tags, "t")) {
    auto n = decimal(*t, 12);
    if (!n) return Unexpected("t=" + std::string(*t) + " is not a time");
    sig.timestamp = static_cast<std::int64_t>(*n);
  }
  if (auto x = find_tag(tags, "x")) {
    auto n = decimal(*x, 12);
    if (!n) return Unexpected("x=" + std::string(*x) + " is not a time");
    sig.expiration = static_cast<std::int64_t>(*n);
    // §3.5 x=: "the value of the "x=" tag MUST be greater than the value of the "t=" tag if both are
    // present".
    if (sig.timestamp && *sig.expiration <= *sig.timestamp)
      return Unexpected(std::string("x= is not after t="));
  }
  return sig;
}

std::string without_b_value(std::string_view raw) {
  const std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return std::string(raw);
  std::string_view value = raw.substr(colon + 1);
  // Trim the final CRLF so that the tag list is only the value.
  std::size_t end = value.size();
  if (end > 0 && value[end - 1] == '\n') --end;
  if (end > 0 && value[end - 1] == '\r') --end;
  auto tags = parse_tag_list(value.substr(0, end));
  if (!tags) return std::string(raw);
  for (const Tag& tag : *tags) {
    if (tag.name != "b") continue;
    const std::size_t start = static_cast<std::size_t>(tag.value.data() - raw.data());
    std::string out(raw.substr(0, start));
    out += raw.substr(start + tag.value.size());
    return out;
  }
  return std::string(raw);
}

}  // namespace endhost::mail::dkim
