#include "mail/store/file_name.hpp"

#include <algorithm>
#include <cstring>

namespace endhost::mail::store {

namespace {

// maildir(5)'s letters for our system flags, in ASCII order.
constexpr struct {
  char letter;
  std::uint8_t bit;
} kLetters[] = {{'D', kDraft}, {'F', kFlagged}, {'R', kAnswered}, {'S', kSeen}, {'T', kDeleted}};

std::uint64_t leading_number(std::string_view s, std::size_t* used) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  while (i < s.size() && i < 19 && s[i] >= '0' && s[i] <= '9')
    n = n * 10 + static_cast<unsigned>(s[i++] - '0');
  *used = i;
  return n;
}

}  // namespace

FileName split_file_name(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos) return {name, {}, false};
  FileName f{name.substr(0, colon), {}, false};
  const std::string_view rest = name.substr(colon + 1);
  // ":2," is the only info version maildir(5) defines; ":1,…" (experimental) is kept as unknown letters.
  if (rest.size() >= 2 && rest[0] == '2' && rest[1] == ',') {
    f.info = rest.substr(2);
    f.has_info = true;
  } else {
    f.info = rest;
  }
  return f;
}

Flags parse_info(std::string_view info, std::size_t keyword_count, std::string* other) {
  Flags flags;
  for (const char c : info) {
    bool known = false;
    for (const auto& l : kLetters) {
      if (c == l.letter) {
        flags.system |= l.bit;
        known = true;
      }
    }
    if (c >= 'a' && c <= 'z' && static_cast<std::size_t>(c - 'a') < keyword_count) {
      flags.keywords |= 1u << (c - 'a');
      known = true;
    }
    if (!known && other && c != ',' && c != ':' && c != '/' && other->find(c) == std::string::npos)
      *other += c;
  }
  return flags;
}

std::string format_info(Flags flags, std::string_view other) {
  std::string letters(other);
  for (const auto& l : kLetters)
    if (flags.system & l.bit) letters += l.letter;
  for (std::size_t i = 0; i < kMaxKeywords; ++i)
    if (flags.keywords & (1u << i)) letters += static_cast<char>('a' + i);
  std::sort(letters.begin(), letters.end());
  letters.erase(std::unique(letters.begin(), letters.end()), letters.end());
  return letters;
}

std::string make_file_name(std::string_view base, Flags flags, std::string_view other) {
  std::string name(base);
  name += ":2,";
  name += format_info(flags, other);
  return name;
}

std::optional<std::uint64_t> name_field(std::string_view base, char key) {
  const char tag[4] = {',', key, '=', 0};
  for (auto at = base.find(tag); at != std::string_view::npos; at = base.find(tag, at + 1)) {
    std::size_t used = 0;
    const std::uint64_t n = leading_number(base.substr(at + 3), &used);
    const std::size_t end = at + 3 + used;
    if (used > 0 && (end == base.size() || base[end] == ',')) return n;
  }
  return std::nullopt;
}

DeliveryKey delivery_key(std::string_view base) {
  DeliveryKey k;
  std::size_t used = 0;
  k.secs = leading_number(base, &used);
  k.numeric = used > 0;
  if (k.numeric && base.size() >= used + 2 && base[used] == '.' && base[used + 1] == 'M') {
    std::size_t m_used = 0;
    k.micros = leading_number(base.substr(used + 2), &m_used);
  }
  return k;
}

bool delivered_before(const DeliveryKey& ka, std::string_view a, const DeliveryKey& kb, std::string_view b) {
  if (ka.numeric && kb.numeric) {
    if (ka.secs != kb.secs) return ka.secs < kb.secs;
    if (ka.micros != kb.micros) return ka.micros < kb.micros;
  }
  return a < b;
}

bool delivered_before(std::string_view a, std::string_view b) {
  return delivered_before(delivery_key(a), a, delivery_key(b), b);
}

void CrlfSize::feed(std::string_view bytes) {
  size_ += bytes.size();
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  bool prev_cr = after_cr_;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (!nl) break;
    const char* at = static_cast<const char*>(nl);
    const bool cr_before = at > p ? at[-1] == '\r' : prev_cr;
    if (!cr_before) ++size_;
    p = at + 1;
    prev_cr = false;
  }
  if (!bytes.empty()) after_cr_ = bytes.back() == '\r';
}

std::uint64_t crlf_size(std::string_view bytes) {
  CrlfSize c;
  c.feed(bytes);
  return c.size();
}

}  // namespace endhost::mail::store
