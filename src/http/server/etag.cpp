#include "http/server/etag.hpp"

#include <array>

namespace endhost::web {

namespace {

constexpr std::array<char, 512> make_hex_pairs() {
  constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 512> t{};
  for (int i = 0; i < 256; ++i) {
    t[static_cast<std::size_t>(2 * i)] = kHex[i >> 4];
    t[static_cast<std::size_t>(2 * i + 1)] = kHex[i & 15];
  }
  return t;
}
constexpr auto kHexPairs = make_hex_pairs();

// Hex digits of v without leading zeros: two digits per table lookup, then the leading zeros cut off.
std::size_t put_hex(char* out, std::uint64_t v) noexcept {
  char tmp[16];
  for (int i = 7; i >= 0; --i) {
    const std::size_t pair = 2 * static_cast<std::size_t>(v & 0xff);
    tmp[2 * i] = kHexPairs[pair];
    tmp[2 * i + 1] = kHexPairs[pair + 1];
    v >>= 8;
  }
  std::size_t skip = 0;
  while (skip < 15 && tmp[skip] == '0') ++skip;
  const std::size_t n = 16 - skip;
  for (std::size_t i = 0; i < n; ++i) out[i] = tmp[skip + i];
  return n;
}

}  // namespace

ETag::ETag(std::uint64_t inode, std::int64_t mtime_ns, std::uint64_t size) noexcept {
  char* p = text_.data();
  *p++ = '"';
  p += put_hex(p, inode);
  *p++ = '-';
  p += put_hex(p, static_cast<std::uint64_t>(mtime_ns));
  *p++ = '-';
  p += put_hex(p, size);
  *p++ = '"';
  size_ = static_cast<std::size_t>(p - text_.data());
}

ETag ETag::from_text(std::string_view text) noexcept {
  ETag out;
  if (text.size() > out.text_.size()) return out;
  for (std::size_t i = 0; i < text.size(); ++i) out.text_[i] = text[i];
  out.size_ = text.size();
  return out;
}

ETag derived_weak_etag(std::string_view strong, std::string_view suffix) noexcept {
  ETag out;
  // Room is checked: the base tag is at most 53 bytes, the suffixes we use are short.
  if (strong.size() < 2 || strong.size() + suffix.size() + 3 > 64) return out;
  std::array<char, 64> buf{};
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    for (char c : s) buf[n++] = c;
  };
  put("W/");
  put(strong.substr(0, strong.size() - 1));  // without the closing quote
  put(suffix);
  put("\"");
  return ETag::from_text(std::string_view(buf.data(), n));
}

bool parse_entity_tag(std::string_view e, EntityTag& out) noexcept {
  out.weak = false;
  if (e.size() >= 2 && e[0] == 'W' && e[1] == '/') {
    out.weak = true;
    e.remove_prefix(2);
  }
  if (e.size() < 2 || e.front() != '"' || e.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < e.size(); ++i) {
    const auto c = static_cast<unsigned char>(e[i]);
    if (!(c == 0x21 || (c >= 0x23 && c != 0x7f))) return false;
  }
  out.opaque = e;
  return true;
}

bool strong_match(const EntityTag& a, const EntityTag& b) noexcept {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) noexcept {
  return a.opaque == b.opaque;
}

}  // namespace endhost::web
