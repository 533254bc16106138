#include "imap/mutf7.hpp"

#include <cstdint>
#include <vector>

namespace endhost::imap {
namespace {

// RFC 3501 §5.1.3: base64 (RFC 2045) with "," in place of "/".
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable(std::uint32_t c) {
  return c >= 0x20 && c <= 0x7e;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The next code point of well-formed UTF-8 at text[at], advancing `at`; -1 when malformed (RFC 3629 §4).
std::int64_t next_utf8(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(at);
  std::size_t n;
  std::uint32_t cp, min;
  if (b0 < 0x80) {
    ++at;
    return b0;
  } else if ((b0 & 0xe0) == 0xc0) {
    n = 1, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 2, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (at + n >= text.size()) return -1;
  for (std::size_t i = 1; i <= n; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (byte(at + i) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  at += n + 1;
  return cp;
}

// One shift's base64 (between "&" and "-") to UTF-8; false when it breaks a rule of mutf7_decode().
bool decode_shift(std::string_view b64, std::string& out) {
  std::uint32_t bits = 0;
  int nbits = 0;
  std::uint32_t high = 0;  // a pending high surrogate
  for (char c : b64) {
    const int v = base64_value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    nbits += 6;
    if (nbits < 16) continue;
    nbits -= 16;
    const std::uint32_t unit = (bits >> nbits) & 0xffff;
    bits &= (1u << nbits) - 1;
    if (high != 0) {
      if (unit < 0xdc00 || unit > 0xdfff) return false;
      append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
      high = 0;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      high = unit;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    } else {
      if (unit < 0x20 || printable(unit) || unit == 0x7f) return false;  // controls; ASCII stands for itself
      append_utf8(out, unit);
    }
  }
  // Fewer than 6 leftover bits, all zero: no character more than the UTF-16 needed.
  return high == 0 && nbits < 6 && bits == 0;
}

}  // namespace

std::optional<std::string> mutf7_decode(std::string_view name) {
  std::string out;
  std::size_t i = 0;
  bool after_shift = false;  // the last thing read was an encoded run: another must not follow at once
  while (i < name.size()) {
    const char c = name[i];
    if (c != '&') {
      if (!printable(static_cast<unsigned char>(c))) return std::nullopt;
      out += c;
      ++i;
      after_shift = false;
      continue;
    }
    const std::size_t end = name.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out += '&';
      after_shift = false;
    } else {
      if (after_shift || !decode_shift(name.substr(i + 1, end - i - 1), out)) return std::nullopt;
      after_shift = true;
    }
    i = end + 1;
  }
  return out;
}

std::optional<std::string> mutf7_encode(std::string_view name) {
  std::string out;
  std::vector<std::uint16_t> units;
  const auto flush = [&] {
    if (units.empty()) return;
    out += '&';
    std::uint32_t bits = 0;
    int nbits = 0;
    for (std::uint16_t u : units) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out += kAlphabet[(bits >> nbits) & 0x3f];
      }
      bits &= (1u << nbits) - 1;
    }
    if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3f];
    out += '-';
    units.clear();
  };
  std::size_t i = 0;
  while (i < name.size()) {
    const std::int64_t cp = next_utf8(name, i);
    if (cp < 0 || cp < 0x20 || cp == 0x7f) return std::nullopt;
    if (printable(static_cast<std::uint32_t>(cp))) {
      flush();
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp >= 0x10000) {
      const std::uint32_t v = static_cast<std::uint32_t>(cp) - 0x10000;
      units.push_back(static_cast<std::uint16_t>(0xd800 + (v >> 10)));
      units.push_back(static_cast<std::uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      units.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  flush();
  return out;
}

}  // namespace endhost::imap
