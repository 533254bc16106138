#include "mail/message/encoded_words.hpp"

#include <optional>

#include "core/ascii_case.hpp"
#include "mail/message/base64.hpp"

namespace endhost::mail::message {

namespace {

constexpr std::size_t kMaxWord = 75;                       // RFC 2047 §2
constexpr std::string_view kPrefix = "=?UTF-8?B?";         // 10
constexpr std::size_t kPayload = (kMaxWord - 12) / 4 * 3;  // bytes per word: 45

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte, so nothing is lost).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

std::string latin1_to_utf8(std::string_view in) {
  std::string out;
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One "=?charset?enc?text?=" at the start of `s`: its decoded text and length.
std::optional<std::pair<std::string, std::size_t>> decode_word(std::string_view s) {
  if (!s.starts_with("=?")) return std::nullopt;
  const std::size_t q1 = s.find('?', 2);
  if (q1 == s.npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
  const std::size_t end = s.find("?=", q1 + 3);
  if (end == s.npos || end + 2 > kMaxWord + 50) return std::nullopt;
  std::string charset = core::upper_case(s.substr(2, q1 - 2));
  if (const auto star = charset.find('*'); star != charset.npos)
    charset.resize(star);  // RFC 2231 §5 language
  const char enc = s[q1 + 1];
  const std::string_view payload = s.substr(q1 + 3, end - q1 - 3);
  if (payload.find_first_of(" \t") != payload.npos) return std::nullopt;
  std::string raw;
  if (enc == 'B' || enc == 'b') {
    auto d = base64_decode(payload);
    if (!d) return std::nullopt;
    raw = std::move(*d);
  } else if (enc == 'Q' || enc == 'q') {
    for (std::size_t i = 0; i < payload.size(); ++i) {
      const char c = payload[i];
      if (c == '_') {
        raw += ' ';
      } else if (c == '=' && i + 2 < payload.size()) {
        const int hi = i + 1 < payload.size() ? hex_value(payload[i + 1]) : -1;
        const int lo = i + 2 < payload.size() ? hex_value(payload[i + 2]) : -1;
        if (hi < 0 || lo < 0) return std::nullopt;
        raw += static_cast<char>(hi << 4 | lo);
        i += 2;
      } else if (c == '=') {
        return std::nullopt;
      } else {
        raw += c;
      }
    }
  } else {
    return std::nullopt;
  }
  if (charset == "UTF-8" || charset == "US-ASCII") return std::pair{std::move(raw), end + 2};
  if (charset == "ISO-8859-1" || charset == "LATIN1") return std::pair{latin1_to_utf8(raw), end + 2};
  return std::nullopt;
}

}  // namespace

bool is_plain_header_text(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return text.find("=?") == text.npos;
}

std::string encode_header_text(std::string_view text, std::size_t first_column) {
  if (is_plain_header_text(text)) return std::string(text);
  std::string out;
  // The first word shares its line with the field's name; later ones start folded lines (" =?…").
  const std::size_t first_room = first_column + 12 + 4 < 78 ? (78 - first_column - 12) / 4 * 3 : 3;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t room = out.empty() ? std::min(first_room, kPayload) : kPayload;
    // Whole characters, as many as fit in one word.
    std::size_t j = i;
    while (j < text.size()) {
      const std::size_t n = std::min(utf8_length(static_cast<unsigned char>(text[j])), text.size() - j);
      if (j + n - i > room) break;
      j += n;
    }
    if (j == i) j = std::min(text.size(), i + utf8_length(static_cast<unsigned char>(text[i])));
    if (!out.empty()) out += "\r\n ";
    out += kPrefix;
    out += base64_encode(text.substr(i, j - i));
    out += "?=";
    i = j;
  }
  return out;
}

std::string decode_header_text(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool after_word = false;
  std::string pending_space;
  while (i < value.size()) {
    if (value[i] == '=' && value.substr(i).starts_with("=?")) {
      if (auto w = decode_word(value.substr(i))) {
        if (!after_word) out += pending_space;  // §6.2: space between two words is dropped
        pending_space.clear();
        out += w->first;
        i += w->second;
        after_word = true;
        continue;
      }
    }
    if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i];
      ++i;
      continue;
    }
    out += pending_space;
    pending_space.clear();
    out += value[i];
    after_word = false;
    ++i;
  }
  out += pending_space;
  return out;
}

}  // namespace endhost::mail::message
