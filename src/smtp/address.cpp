#include "smtp/address.hpp"

#include <cstdint>

#include "text/verb.hpp"

namespace endhost::smtp {
namespace {

bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_high(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 5322 §3.2.3 atext (RFC 5321 §4.1.2 Atom); RFC 6531 §3.3 adds UTF8-non-ascii.
bool is_atext(char c, bool utf8) {
  if (is_alpha(c) || is_digit(c)) return true;
  if (std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos) return true;
  return utf8 && is_high(c);
}

bool is_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '\0';
  for (const char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c, utf8)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool any_high(std::string_view s) {
  for (const char c : s) {
    if (is_high(c)) return true;
  }
  return false;
}

// Snum = 1*3DIGIT, 0-255 (RFC 5321 §4.1.3).
bool valid_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    if (i == start || value > 255) return false;
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

// RFC 5321 §4.1.3 IPv6-addr: full, compressed ("::" once), and either with a trailing IPv4.
bool valid_ipv6(std::string_view s) {
  if (s.empty()) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && is_hex(s[i]) && i - start < 4) ++i;
    if (i < s.size() && s[i] == '.') {  // the last 32 bits as IPv4
      if (!valid_ipv4(s.substr(start))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (i == start) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // a trailing single ':'
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

// Parses the local part at the front of `s`; returns the octets consumed, 0 on a syntax error.
std::size_t parse_local_part(std::string_view s, bool utf8, std::string& decoded) {
  decoded.clear();
  if (s.empty()) return 0;
  if (s[0] == '"') {
    // Quoted-string = DQUOTE *QcontentSMTP DQUOTE; quoted-pairSMTP = "\" %d32-126.
    for (std::size_t i = 1; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') return i + 1;
      if (c == '\\') {
        if (i + 1 >= s.size()) return 0;
        const char q = s[++i];
        if (static_cast<unsigned char>(q) < 32 || q == 127 || (is_high(q) && !utf8)) return 0;
        decoded += q;
        continue;
      }
      const auto u = static_cast<unsigned char>(c);
      if (u < 32 || u == 127 || (u >= 0x80 && !utf8)) return 0;
      decoded += c;
    }
    return 0;  // no closing quote
  }
  std::size_t end = 0;
  while (end < s.size() && (is_atext(s[end], utf8) || s[end] == '.')) ++end;
  const std::string_view dot = s.substr(0, end);
  if (!is_dot_string(dot, utf8)) return 0;
  decoded = std::string(dot);
  return end;
}

Expected<Mailbox, AddressError> parse_mailbox(std::string_view s, bool utf8_allowed) {
  const bool high = any_high(s);
  if (high && !valid_utf8(s)) return Unexpected(AddressError::BadUtf8);
  if (high && !utf8_allowed) return Unexpected(AddressError::Utf8NotAllowed);
  Mailbox box;
  box.utf8 = high;
  // RFC 5321 §4.5.1: "<Postmaster>" without a domain must be accepted (case-insensitively).
  if (text::iequals(s, "postmaster")) {
    box.local_part = "postmaster";
    return box;
  }
  const std::size_t used = parse_local_part(s, high, box.local_part);
  if (used == 0) return Unexpected(AddressError::Syntax);
  if (used > kMaxLocalPart) return Unexpected(AddressError::TooLong);  // §4.5.3.1.1 counts as sent
  if (used >= s.size() || s[used] != '@') return Unexpected(AddressError::Syntax);
  const std::string_view domain = s.substr(used + 1);
  if (domain.size() > kMaxDomain) return Unexpected(AddressError::TooLong);
  const bool literal = !domain.empty() && domain.front() == '[';
  if (literal ? !valid_address_literal(domain) : !valid_domain(domain, high)) {
    return Unexpected(AddressError::Syntax);
  }
  box.domain = std::string(domain);
  return box;
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); esmtp-value = 1*(%d33-60 / %d62-126), with
// UTF-8 under RFC 6531 §3.3.
Expected<Parameter, AddressError> parse_parameter(std::string_view s, bool utf8) {
  Parameter p;
  const std::size_t eq = s.find('=');
  const std::string_view key = s.substr(0, eq);
  if (key.empty() || !(is_alpha(key[0]) || is_digit(key[0]))) return Unexpected(AddressError::Syntax);
  for (const char c : key) {
    if (!(is_alpha(c) || is_digit(c) || c == '-')) return Unexpected(AddressError::Syntax);
    p.keyword += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (eq == std::string_view::npos) return p;
  const std::string_view value = s.substr(eq + 1);
  if (value.empty()) return Unexpected(AddressError::Syntax);
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      if (!utf8) return Unexpected(AddressError::Utf8NotAllowed);
      continue;
    }
    if (u < 33 || u == '=' || u > 126) return Unexpected(AddressError::Syntax);
  }
  if (any_high(value) && !valid_utf8(value)) return Unexpected(AddressError::BadUtf8);
  p.value = std::string(value);
  p.has_value = true;
  return p;
}

}  // namespace

std::string Mailbox::address() const {
  std::string out;
  if (is_dot_string(local_part, true)) {
    out = local_part;
  } else {
    out += '"';
    for (const char c : local_part) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!domain.empty()) {
    out += '@';
    out += domain;
  }
  return out;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, an overlong 0xc0/0xc1, or past U+10FFFF
    }
    if (i + len > text.size()) return false;
    for (std::size_t j = 1; j < len; ++j) {
      const auto d = static_cast<unsigned char>(text[i + j]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    i += len;
  }
  return true;
}

bool valid_domain(std::string_view domain, bool utf8_allowed) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  if (any_high(domain) && (!utf8_allowed || !valid_utf8(domain))) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    // sub-domain = Let-dig [Ldh-str]: letters, digits and inner hyphens (U-labels: any UTF-8 letter).
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!(is_alpha(c) || is_digit(c) || c == '-' || is_high(c))) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_address_literal(std::string_view literal) {
  if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
  const std::string_view inner = literal.substr(1, literal.size() - 2);
  if (inner.size() > 5 && text::iequals(inner.substr(0, 5), "IPv6:")) return valid_ipv6(inner.substr(5));
  if (valid_ipv4(inner)) return true;
  // General-address-literal = Standardized-tag ":" 1*dcontent; dcontent = %d33-90 / %d94-126.
  const std::size_t colon = inner.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == inner.size()) return false;
  const std::string_view tag = inner.substr(0, colon);
  if (tag.back() == '-') return false;
  for (const char c : tag) {
    if (!(is_alpha(c) || is_digit(c) || c == '-')) return false;
  }
  for (const char c : inner.substr(colon + 1)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || (u >= 91 && u <= 93)) return false;
  }
  return true;
}

Expected<Path, AddressError> parse_path(std::string_view text, bool utf8_allowed) {
  if (text.size() > kMaxPath) return Unexpected(AddressError::TooLong);
  if (text.size() < 2 || text.front() != '<' || text.back() != '>') return Unexpected(AddressError::Syntax);
  std::string_view inner = text.substr(1, text.size() - 2);
  Path path;
  if (inner.empty()) {
    path.null = true;
    return path;
  }
  if (inner.front() == '@') {
    // A-d-l = At-domain *( "," At-domain ) ":" — a source route, read and ignored (§4.1.2, §C).
    const std::size_t colon = inner.find(':');
    if (colon == std::string_view::npos) return Unexpected(AddressError::Syntax);
    std::string_view route = inner.substr(0, colon);
    while (!route.empty()) {
      const std::size_t comma = route.find(',');
      const std::string_view at = route.substr(0, comma);
      if (at.size() < 2 || at.front() != '@' || !valid_domain(at.substr(1), utf8_allowed)) {
        return Unexpected(AddressError::Syntax);
      }
      if (comma == std::string_view::npos) break;
      route.remove_prefix(comma + 1);
      if (route.empty()) return Unexpected(AddressError::Syntax);
    }
    inner.remove_prefix(colon + 1);
  }
  auto box = parse_mailbox(inner, utf8_allowed);
  if (!box) return Unexpected(box.error());
  path.mailbox = std::move(*box);
  return path;
}

Expected<PathArgs, AddressError> parse_path_args(std::string_view args, std::string_view keyword,
                                                 bool allow_null, bool utf8_allowed) {
  if (args.size() < keyword.size() + 1 || !text::iequals(args.substr(0, keyword.size()), keyword) ||
      args[keyword.size()] != ':') {
    return Unexpected(AddressError::Syntax);
  }
  std::string_view rest = args.substr(keyword.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // `MAIL FROM: <a@b>` (Postfix too)
  if (rest.empty() || rest.front() != '<') return Unexpected(AddressError::Syntax);
  // The path ends at the first '>' outside a quoted local part.
  std::size_t end = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    const char c = rest[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      end = i;
      break;
    }
  }
  if (end == std::string_view::npos) return Unexpected(AddressError::Syntax);
  auto path = parse_path(rest.substr(0, end + 1), utf8_allowed);
  if (!path) return Unexpected(path.error());
  if (path->null && !allow_null) return Unexpected(AddressError::NullNotAllowed);
  PathArgs out;
  out.path = std::move(*path);
  rest.remove_prefix(end + 1);
  if (!rest.empty() && rest.front() != ' ') return Unexpected(AddressError::Syntax);
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const std::size_t space = rest.find(' ');
    auto param = parse_parameter(rest.substr(0, space), utf8_allowed);
    if (!param) return Unexpected(param.error());
    if (out.parameters.size() >= kMaxParameters) return Unexpected(AddressError::Syntax);
    out.parameters.push_back(std::move(*param));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space);
  }
  return out;
}

}  // namespace endhost::smtp
