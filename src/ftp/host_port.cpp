#include "ftp/host_port.hpp"

#include <optional>

namespace endhost::ftp {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal field of at most `max_digits` digits, no sign, no spaces.
std::optional<std::uint32_t> decimal(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint32_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return v;
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view s) {
  std::array<std::uint8_t, 4> out{};
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const auto v = decimal(s.substr(0, dot), 3);
    if (!v || *v > 255) return std::nullopt;
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(*v);
    s.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  return out;
}

// RFC 4291 §2.2: groups of 1–4 hex digits, one `::`, an IPv4 tail in the last 32 bits. No zone ids.
std::optional<IpBytes> parse_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return std::nullopt;
  std::array<std::uint16_t, 8> groups{};
  int count = 0;
  int gap = -1;  // the group index where `::` stands
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = 0;
    i = 2;
  } else if (s[0] == ':') {
    return std::nullopt;
  }
  while (i < s.size()) {
    if (count == 8) return std::nullopt;
    std::size_t end = i;
    while (end < s.size() && s[end] != ':') ++end;
    const std::string_view field = s.substr(i, end - i);
    if (field.find('.') != std::string_view::npos) {  // the IPv4 tail: must be last and leave room
      if (end != s.size() || count > 6) return std::nullopt;
      const auto v4 = parse_ipv4(field);
      if (!v4) return std::nullopt;
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]);
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]);
      i = end;
      break;
    }
    if (field.empty() || field.size() > 4) return std::nullopt;
    std::uint16_t v = 0;
    for (const char c : field) {
      const int h = hex_value(c);
      if (h < 0) return std::nullopt;
      v = static_cast<std::uint16_t>((v << 4) | h);
    }
    groups[static_cast<std::size_t>(count++)] = v;
    if (end == s.size()) {
      i = end;
      break;
    }
    // At a ':'; `::` marks the gap (only once), a single ':' must be followed by a group.
    if (end + 1 < s.size() && s[end + 1] == ':') {
      if (gap >= 0) return std::nullopt;
      gap = count;
      i = end + 2;
    } else {
      if (end + 1 == s.size()) return std::nullopt;
      i = end + 1;
    }
  }
  if (gap < 0 && count != 8) return std::nullopt;
  if (gap >= 0 && count > 7) return std::nullopt;
  IpBytes out{};
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    const int tail = count - gap;
    for (int k = 0; k < gap; ++k) full[static_cast<std::size_t>(k)] = groups[static_cast<std::size_t>(k)];
    for (int k = 0; k < tail; ++k) {
      full[static_cast<std::size_t>(8 - tail + k)] = groups[static_cast<std::size_t>(gap + k)];
    }
  }
  for (std::size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<std::uint8_t>(full[k] >> 8);
    out[2 * k + 1] = static_cast<std::uint8_t>(full[k] & 0xff);
  }
  return out;
}

bool is_v4_mapped(const IpBytes& b) {
  for (std::size_t k = 0; k < 10; ++k) {
    if (b[k] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

std::string format_ip(const IpBytes& b) {
  if (is_v4_mapped(b)) {
    return std::to_string(b[12]) + '.' + std::to_string(b[13]) + '.' + std::to_string(b[14]) + '.' +
           std::to_string(b[15]);
  }
  std::array<unsigned, 8> g{};
  for (std::size_t k = 0; k < 8; ++k) g[k] = (unsigned{b[2 * k]} << 8) | b[2 * k + 1];
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes `::`, the first one on a tie.
  int best = -1;
  int best_len = 1;
  for (int k = 0; k < 8;) {
    if (g[static_cast<std::size_t>(k)] != 0) {
      ++k;
      continue;
    }
    int len = 0;
    while (k + len < 8 && g[static_cast<std::size_t>(k + len)] == 0) ++len;
    if (len > best_len) {
      best = k;
      best_len = len;
    }
    k += len;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    const unsigned v = g[static_cast<std::size_t>(k)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (v >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        out += kHex[nibble];
        started = true;
      }
    }
  }
  return out;
}

Expected<std::uint16_t, HostPortError> port_field(std::string_view s) {
  const auto v = decimal(s, 5);
  if (!v) return Unexpected(HostPortError::BadNumber);
  if (*v == 0 || *v > 65535) return Unexpected(HostPortError::BadPort);
  return static_cast<std::uint16_t>(*v);
}

// Six comma-separated numbers 0–255: four address octets and the port's two bytes (RFC 959 §4.1.2).
Expected<HostPort, HostPortError> six_numbers(std::string_view s) {
  std::array<std::uint32_t, 6> n{};
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t comma = i < 5 ? s.find(',') : s.size();
    if (comma == std::string_view::npos) return Unexpected(HostPortError::Malformed);
    const auto v = decimal(s.substr(0, comma), 3);
    if (!v || *v > 255) return Unexpected(HostPortError::BadNumber);
    n[i] = *v;
    s.remove_prefix(i < 5 ? comma + 1 : comma);
  }
  HostPort hp;
  hp.address = std::to_string(n[0]) + '.' + std::to_string(n[1]) + '.' + std::to_string(n[2]) + '.' +
               std::to_string(n[3]);
  const std::uint32_t port = n[4] * 256 + n[5];
  if (port == 0) return Unexpected(HostPortError::BadPort);
  hp.port = static_cast<std::uint16_t>(port);
  return hp;
}

std::string comma_form(const HostPort& hp) {
  std::string out = hp.address;
  for (char& c : out) {
    if (c == '.') c = ',';
  }
  return out + ',' + std::to_string(hp.port >> 8) + ',' + std::to_string(hp.port & 0xff);
}

}  // namespace

std::string_view describe(HostPortError error) {
  switch (error) {
    case HostPortError::Malformed:
      return "malformed address argument";
    case HostPortError::BadNumber:
      return "bad number in address argument";
    case HostPortError::BadPort:
      return "bad port";
    case HostPortError::BadAddress:
      return "bad network address";
    case HostPortError::UnsupportedProtocol:
      return "network protocol not supported";
  }
  return "bad address";
}

Expected<IpBytes, HostPortError> parse_ip(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    const auto v4 = parse_ipv4(text);
    if (!v4) return Unexpected(HostPortError::BadAddress);
    IpBytes b{};
    b[10] = b[11] = 0xff;
    for (std::size_t k = 0; k < 4; ++k) b[12 + k] = (*v4)[k];
    return b;
  }
  const auto v6 = parse_ipv6(text);
  if (!v6) return Unexpected(HostPortError::BadAddress);
  return *v6;
}

Expected<std::string, HostPortError> canonical_ip(std::string_view text) {
  const auto b = parse_ip(text);
  if (!b) return Unexpected(b.error());
  return format_ip(*b);
}

bool same_host(std::string_view a, std::string_view b) {
  const auto x = parse_ip(a);
  const auto y = parse_ip(b);
  return x && y && *x == *y;
}

Expected<HostPort, HostPortError> parse_port_argument(std::string_view args) {
  return six_numbers(args);
}

std::string format_port_argument(const HostPort& hp) {
  return comma_form(hp);
}

Expected<HostPort, HostPortError> parse_eprt_argument(std::string_view args) {
  // RFC 2428 §2: <d><net-prt><d><net-addr><d><tcp-port><d>, d in ASCII 33–126 and the same all four times.
  if (args.size() < 7) return Unexpected(HostPortError::Malformed);
  const char d = args[0];
  if (d < 33 || d > 126 || is_digit(d) || args.back() != d) return Unexpected(HostPortError::Malformed);
  std::string_view rest = args.substr(1, args.size() - 2);
  const std::size_t a = rest.find(d);
  if (a == std::string_view::npos) return Unexpected(HostPortError::Malformed);
  const std::size_t b = rest.find(d, a + 1);
  if (b == std::string_view::npos || rest.find(d, b + 1) != std::string_view::npos) {
    return Unexpected(HostPortError::Malformed);
  }
  const std::string_view proto = rest.substr(0, a);
  const std::string_view addr = rest.substr(a + 1, b - a - 1);
  const std::string_view port = rest.substr(b + 1);
  const auto family = decimal(proto, 3);
  if (!family) return Unexpected(HostPortError::Malformed);
  if (*family != 1 && *family != 2) return Unexpected(HostPortError::UnsupportedProtocol);
  HostPort hp;
  hp.v6 = *family == 2;
  if (hp.v6) {
    if (addr.find(':') == std::string_view::npos) return Unexpected(HostPortError::BadAddress);
    const auto v6 = parse_ipv6(addr);
    if (!v6) return Unexpected(HostPortError::BadAddress);
    // A v4-mapped address keeps its IPv6 form (RFC 5952 §5, `::ffff:192.0.2.1`): net-prt 2 needs a colon.
    hp.address = is_v4_mapped(*v6) ? "::ffff:" + format_ip(*v6) : format_ip(*v6);
  } else {
    const auto v4 = parse_ipv4(addr);
    if (!v4) return Unexpected(HostPortError::BadAddress);
    hp.address = std::to_string((*v4)[0]) + '.' + std::to_string((*v4)[1]) + '.' + std::to_string((*v4)[2]) +
                 '.' + std::to_string((*v4)[3]);
  }
  const auto p = port_field(port);
  if (!p) return Unexpected(p.error());
  hp.port = *p;
  return hp;
}

std::string format_eprt_argument(const HostPort& hp) {
  return std::string(hp.v6 ? "|2|" : "|1|") + hp.address + '|' + std::to_string(hp.port) + '|';
}

std::string format_227_text(const HostPort& hp) {
  return "Entering Passive Mode (" + comma_form(hp) + ").";
}

Expected<HostPort, HostPortError> parse_227_text(std::string_view text) {
  // RFC 1123 §4.1.2.6: scan for the first digit that starts h1,h2,h3,h4,p1,p2.
  HostPortError last = HostPortError::Malformed;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) continue;
    std::size_t end = i;
    while (end < text.size() && (is_digit(text[end]) || text[end] == ',')) ++end;
    std::string_view run = text.substr(i, end - i);
    // Six numbers are exactly five commas; a run with more has its extra tail cut off.
    std::size_t commas = 0;
    std::size_t cut = run.size();
    for (std::size_t k = 0; k < run.size(); ++k) {
      if (run[k] == ',' && ++commas == 6) {
        cut = k;
        break;
      }
    }
    if (commas < 5) continue;
    const auto hp = six_numbers(run.substr(0, cut));
    if (hp) return hp;
    last = hp.error();
  }
  return Unexpected(last);
}

std::string format_229_text(std::uint16_t port) {
  return "Entering Extended Passive Mode (|||" + std::to_string(port) + "|)";
}

Expected<std::uint16_t, HostPortError> parse_229_text(std::string_view text) {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) return Unexpected(HostPortError::Malformed);
  const std::size_t close = text.find(')', open);
  if (close == std::string_view::npos) return Unexpected(HostPortError::Malformed);
  const std::string_view group = text.substr(open + 1, close - open - 1);
  if (group.size() < 5) return Unexpected(HostPortError::Malformed);
  const char d = group[0];
  if (d < 33 || d > 126 || is_digit(d) || group[1] != d || group[2] != d || group.back() != d) {
    return Unexpected(HostPortError::Malformed);
  }
  return port_field(group.substr(3, group.size() - 4));
}

}  // namespace endhost::ftp
