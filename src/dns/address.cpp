#include "dns/address.hpp"

#include <cstdio>

namespace endhost::dns {

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    std::size_t start = i;
    unsigned v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3)
      v = v * 10 + (text[i++] - '0');
    if (i == start || v > 255) return std::nullopt;
    out[part] = static_cast<std::uint8_t>(v);
  }
  if (i != text.size()) return std::nullopt;
  return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) {
  std::array<std::uint16_t, 8> groups{};
  int n = 0;     // groups parsed
  int gap = -1;  // index where "::" stands
  std::size_t i = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!text.empty() && text[0] == ':') {
    return std::nullopt;
  }
  while (i < text.size()) {
    if (n == 8) return std::nullopt;
    // A trailing dotted quad fills two groups.
    std::size_t end = text.find(':', i);
    std::string_view part = text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (part.find('.') != std::string_view::npos) {
      if (end != std::string_view::npos || n > 6) return std::nullopt;
      auto v4 = parse_ipv4(part);
      if (!v4) return std::nullopt;
      groups[n++] = static_cast<std::uint16_t>((*v4)[0] << 8 | (*v4)[1]);
      groups[n++] = static_cast<std::uint16_t>((*v4)[2] << 8 | (*v4)[3]);
      i = text.size();
      break;
    }
    if (part.empty() || part.size() > 4) return std::nullopt;
    unsigned v = 0;
    for (char c : part) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    groups[n++] = static_cast<std::uint16_t>(v);
    if (end == std::string_view::npos) {
      i = text.size();
      break;
    }
    i = end + 1;
    if (i < text.size() && text[i] == ':') {
      if (gap >= 0) return std::nullopt;  // two "::"
      gap = n;
      ++i;
    } else if (i == text.size()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  if (gap < 0 && n != 8) return std::nullopt;
  if (gap >= 0 && n == 8) return std::nullopt;  // "::" must stand for at least one group
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    int tail = n - gap;
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  }
  std::array<std::uint8_t, 16> out{};
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<std::uint8_t>(full[k] >> 8);
    out[2 * k + 1] = static_cast<std::uint8_t>(full[k]);
  }
  return out;
}

std::string format_ipv4(const std::array<std::uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::string format_ipv6(const std::array<std::uint8_t, 16>& a) {
  std::array<unsigned, 8> g{};
  for (int k = 0; k < 8; ++k) g[k] = static_cast<unsigned>(a[2 * k] << 8 | a[2 * k + 1]);
  int best = -1, best_len = 0;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int s = k;
    while (k < 8 && g[k] == 0) ++k;
    if (k - s > best_len) best = s, best_len = k - s;
  }
  if (best_len < 2) best = -1;  // RFC 5952 §4.2.2: a single zero group is not shortened
  std::string out;
  char buf[8];
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[k]);
    out += buf;
  }
  return out;
}

}  // namespace endhost::dns
