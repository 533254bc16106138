#include "mail/message/base64.hpp"

#include <array>

namespace endhost::mail::message {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> decode_table() {
  std::array<int, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return t;
}

constexpr std::array<int, 256> kDecode = decode_table();

}  // namespace

std::string base64_encode(std::string_view data, std::size_t line_length) {
  std::string out;
  const std::size_t chars = (data.size() + 2) / 3 * 4;
  out.reserve(chars + (line_length ? (chars / line_length + 1) * 2 : 0));
  std::size_t column = 0;
  auto put = [&](char c) {
    out += c;
    if (line_length && ++column == line_length) {
      out += "\r\n";
      column = 0;
    }
  };
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16 |
                       static_cast<unsigned char>(data[i + 1]) << 8 | static_cast<unsigned char>(data[i + 2]);
    put(kAlphabet[v >> 18 & 63]);
    put(kAlphabet[v >> 12 & 63]);
    put(kAlphabet[v >> 6 & 63]);
    put(kAlphabet[v & 63]);
  }
  const std::size_t rest = data.size() - i;
  if (rest) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    put(kAlphabet[v >> 18 & 63]);
    put(kAlphabet[v >> 12 & 63]);
    put(rest == 2 ? kAlphabet[v >> 6 & 63] : '=');
    put('=');
  }
  if (line_length && column != 0) out += "\r\n";
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad) return std::nullopt;  // "=" then a letter
      v[k] = kDecode[static_cast<unsigned char>(c)];
      if (v[k] < 0) return std::nullopt;
    }
    const unsigned n = static_cast<unsigned>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    // RFC 4648 §3.5: the bits past the data must be zero.
    if ((pad == 2 && (n & 0xFFFF)) || (pad == 1 && (n & 0xFF))) return std::nullopt;
    out += static_cast<char>(n >> 16 & 0xFF);
    if (pad < 2) out += static_cast<char>(n >> 8 & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

std::string base64_decode_lenient(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int v = kDecode[static_cast<unsigned char>(c)];
    if (v < 0) continue;
    acc = (acc << 6 | static_cast<unsigned>(v)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  return out;
}

}  // namespace endhost::mail::message
