#include "dns/name.hpp"

#include <algorithm>
#include <cstring>

namespace endhost::dns {

std::size_t NameView::label_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; data_[i] != 0; i += 1 + data_[i]) ++n;
  return n;
}

NameView NameView::suffix(std::size_t labels) const {
  NameView v = *this;
  for (std::size_t drop = label_count() - labels; drop > 0; --drop) v = v.parent();
  return v;
}

bool NameView::is_subdomain_of(NameView ancestor) const {
  if (ancestor.size_ > size_) return false;
  // Walk to the label boundary that leaves exactly ancestor.size_ octets; if there is none, a label
  // straddles.
  NameView v = *this;
  while (v.size_ > ancestor.size_) v = v.parent();
  return v.size_ == ancestor.size_ && v == ancestor;
}

bool operator==(NameView a, NameView b) {
  if (a.size_ != b.size_) return false;
  // Label lengths are < 'A' (63 < 65), so folding the whole buffer including length octets is safe.
  for (std::size_t i = 0; i < a.size_; ++i) {
    if (ascii_lower(a.data_[i]) != ascii_lower(b.data_[i])) return false;
  }
  return true;
}

std::size_t NameView::hash() const {
  // FNV-1a over the lower-cased octets: cheap, and names are short.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < size_; ++i) {
    h ^= ascii_lower(data_[i]);
    h *= 0x100000001b3ull;
  }
  return static_cast<std::size_t>(h);
}

std::strong_ordering canonical_compare(NameView a, NameView b) {
  std::array<std::uint8_t, kMaxLabels + 1> la{}, lb{};  // label offsets
  std::size_t na = 0, nb = 0;
  for (std::size_t i = 0; a.data_[i] != 0; i += 1 + a.data_[i]) la[na++] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; b.data_[i] != 0; i += 1 + b.data_[i]) lb[nb++] = static_cast<std::uint8_t>(i);
  while (na > 0 && nb > 0) {
    const std::uint8_t* pa = a.data_ + la[--na];
    const std::uint8_t* pb = b.data_ + lb[--nb];
    std::size_t n = std::min(pa[0], pb[0]);
    for (std::size_t i = 1; i <= n; ++i) {
      auto ca = ascii_lower(pa[i]), cb = ascii_lower(pb[i]);
      if (ca != cb) return ca <=> cb;
    }
    if (pa[0] != pb[0]) return pa[0] <=> pb[0];
  }
  return na <=> nb;
}

namespace {

// RFC 1035 §5.1 / RFC 4343 §2.1: characters that must be escaped in presentation form.
bool needs_backslash(std::uint8_t c) {
  switch (c) {
    case '.':
    case '\\':
    case '"':
    case ';':
    case '(':
    case ')':
    case '@':
    case '$':
    case ' ':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string NameView::to_string() const {
  if (is_root()) return ".";
  std::string out;
  out.reserve(size_ + 8);
  for (std::size_t i = 0; data_[i] != 0; i += 1 + data_[i]) {
    for (std::size_t j = 1; j <= data_[i]; ++j) {
      std::uint8_t c = data_[i + j];
      if (c <= 0x20 || c >= 0x7F) {
        char esc[5] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                       static_cast<char>('0' + c % 10), 0};
        out += esc;
      } else {
        if (needs_backslash(c)) out += '\\';
        out += static_cast<char>(c);
      }
    }
    out += '.';
  }
  return out;
}

Name::Name(NameView v) : size_(static_cast<std::uint8_t>(v.size())) {
  std::memcpy(buf_.data(), v.data(), v.size());
}

Result<Name> Name::from_string(std::string_view text, NameView origin) {
  Name n;
  if (text.empty()) return fail(Errc::bad_text, "empty name");
  if (text == ".") return n;
  std::size_t out = 0;          // write position in n.buf_
  std::size_t label_start = 0;  // position of the current label's length octet
  std::size_t label_len = 0;
  bool absolute = false;
  auto put = [&](std::uint8_t c) -> bool {
    if (label_len == kMaxLabelSize) return false;
    if (label_start + 1 + label_len + 1 >= kMaxNameWireSize) return false;
    n.buf_[label_start + 1 + label_len] = c;
    ++label_len;
    return true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '.') {
      if (label_len == 0) return fail(Errc::bad_text, "empty label in name", i);
      n.buf_[label_start] = static_cast<std::uint8_t>(label_len);
      label_start += 1 + label_len;
      label_len = 0;
      if (i + 1 == text.size()) absolute = true;
      continue;
    }
    std::uint8_t c = static_cast<std::uint8_t>(ch);
    if (ch == '\\') {
      if (i + 1 >= text.size()) return fail(Errc::bad_text, "dangling backslash in name", i);
      auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
      if (digit(i + 1)) {
        if (!digit(i + 2) || !digit(i + 3)) return fail(Errc::bad_text, "\\DDD escape needs three digits", i);
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail(Errc::bad_text, "\\DDD escape above 255", i);
        c = static_cast<std::uint8_t>(v);
        i += 3;
      } else {
        c = static_cast<std::uint8_t>(text[++i]);
      }
    }
    if (label_len == kMaxLabelSize) return fail(Errc::label_too_long, "label longer than 63 octets", i);
    if (!put(c)) return fail(Errc::name_too_long, "name longer than 255 octets", i);
  }
  if (label_len > 0) {
    n.buf_[label_start] = static_cast<std::uint8_t>(label_len);
    label_start += 1 + label_len;
  }
  out = label_start;
  n.buf_[out] = 0;
  n.size_ = static_cast<std::uint8_t>(out + 1);
  if (!absolute) {
    auto r = n.append(origin);
    if (!r) return Unexpected(r.error());
  }
  return n;
}

Result<Name> Name::from_wire(std::span<const std::uint8_t> wire) {
  std::size_t i = 0;
  while (true) {
    if (i >= wire.size()) return fail(Errc::truncated, "name runs past its buffer", i);
    std::uint8_t len = wire[i];
    if (len & 0xC0)
      return fail(Errc::bad_label_type, "compression pointer or extended label in stored name", i);
    if (i + 1 + len > kMaxNameWireSize) return fail(Errc::name_too_long, "name longer than 255 octets", i);
    if (len == 0) break;
    i += 1 + len;
  }
  if (i + 1 != wire.size()) return fail(Errc::trailing_data, "bytes after the root label", i + 1);
  return Name(NameView(wire.data(), wire.size()));
}

Result<void> Name::prepend_label(std::span<const std::uint8_t> label) {
  if (label.empty() || label.size() > kMaxLabelSize)
    return fail(Errc::label_too_long, "label empty or over 63");
  if (size_ + 1 + label.size() > kMaxNameWireSize) return fail(Errc::name_too_long, "name longer than 255");
  std::memmove(buf_.data() + 1 + label.size(), buf_.data(), size_);
  buf_[0] = static_cast<std::uint8_t>(label.size());
  std::memcpy(buf_.data() + 1, label.data(), label.size());
  size_ = static_cast<std::uint8_t>(size_ + 1 + label.size());
  return {};
}

Result<void> Name::append(NameView suffix) {
  if (size_ - 1 + suffix.size() > kMaxNameWireSize) return fail(Errc::name_too_long, "name longer than 255");
  std::memcpy(buf_.data() + size_ - 1, suffix.data(), suffix.size());
  size_ = static_cast<std::uint8_t>(size_ - 1 + suffix.size());
  return {};
}

void Name::to_lower() {
  for (std::size_t i = 0; i < size_; ++i) buf_[i] = ascii_lower(buf_[i]);
}

std::string Error::to_string() const {
  return std::string(reason) + " (at offset " + std::to_string(offset) + ")";
}

}  // namespace endhost::dns
