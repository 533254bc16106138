// Test helpers: RFC 7541 Appendix C writes blocks as hex with spaces and line breaks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace endhost::http2::hpack::test {

inline std::string unhex(std::string_view text) {
  std::string out;
  int high = -1;
  for (const char c : text) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else
      continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace endhost::http2::hpack::test
