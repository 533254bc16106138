#include "http/cache/structured_field.hpp"

namespace endhost::http::cache {

namespace {

bool is_lcalpha(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) noexcept {
  return is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  std::optional<std::vector<SfMember>> dictionary() {
    std::vector<SfMember> out;
    skip_sp();
    if (s_.empty()) return out;
    for (;;) {
      auto key = parse_key();
      if (!key) return std::nullopt;
      SfItem item;
      if (peek('=')) {
        s_.remove_prefix(1);
        auto value = item_or_inner_list();
        if (!value) return std::nullopt;
        item = std::move(*value);
      } else if (!parameters()) {
        return std::nullopt;
      }
      bool replaced = false;
      for (SfMember& m : out)
        if (m.key == *key) m.value = item, replaced = true;
      if (!replaced) {
        if (out.size() == max_sf_members) return std::nullopt;
        out.push_back({std::move(*key), std::move(item)});
      }
      skip_ows();
      if (s_.empty()) return out;
      if (!peek(',')) return std::nullopt;
      s_.remove_prefix(1);
      skip_ows();
      if (s_.empty()) return std::nullopt;  // a trailing comma
    }
  }

 private:
  bool peek(char c) const noexcept { return !s_.empty() && s_.front() == c; }
  void skip_sp() noexcept {
    while (peek(' ')) s_.remove_prefix(1);
  }
  void skip_ows() noexcept {
    while (peek(' ') || peek('\t')) s_.remove_prefix(1);
  }

  // §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
  std::optional<std::string> parse_key() {
    if (s_.empty() || !(is_lcalpha(s_.front()) || s_.front() == '*')) return std::nullopt;
    std::size_t n = 1;
    while (n < s_.size() && (is_lcalpha(s_[n]) || is_digit(s_[n]) ||
                             std::string_view("_-.*").find(s_[n]) != std::string_view::npos))
      ++n;
    std::string key(s_.substr(0, n));
    s_.remove_prefix(n);
    return key;
  }

  // §4.2.3.2: *( ";" *SP key [ "=" bare-item ] )
  bool parameters() {
    while (peek(';')) {
      s_.remove_prefix(1);
      skip_sp();
      if (!parse_key()) return false;
      if (peek('=')) {
        s_.remove_prefix(1);
        if (!bare_item()) return false;
      }
    }
    return true;
  }

  std::optional<SfItem> item_or_inner_list() {
    if (peek('(')) {
      // §4.2.1.2: "(" *SP [ item *( 1*SP item ) *SP ] ")" parameters
      s_.remove_prefix(1);
      for (;;) {
        skip_sp();
        if (peek(')')) {
          s_.remove_prefix(1);
          break;
        }
        if (!bare_item() || !parameters()) return std::nullopt;
        if (!peek(' ') && !peek(')')) return std::nullopt;
      }
      if (!parameters()) return std::nullopt;
      SfItem list;
      list.kind = SfItem::Kind::inner_list;
      return list;
    }
    auto item = bare_item();
    if (!item || !parameters()) return std::nullopt;
    return item;
  }

  std::optional<SfItem> bare_item() {
    if (s_.empty()) return std::nullopt;
    const char c = s_.front();
    SfItem item;
    if (c == '-' || is_digit(c)) return number();
    if (c == '"') {
      // §4.2.5: printable ASCII, with \" and \\ the only escapes.
      s_.remove_prefix(1);
      item.kind = SfItem::Kind::string;
      for (;;) {
        if (s_.empty()) return std::nullopt;
        char ch = s_.front();
        s_.remove_prefix(1);
        if (ch == '"') return item;
        if (ch == '\\') {
          if (s_.empty() || (s_.front() != '"' && s_.front() != '\\')) return std::nullopt;
          ch = s_.front();
          s_.remove_prefix(1);
        } else if (ch < 0x20 || ch > 0x7e) {
          return std::nullopt;
        }
        item.text += ch;
      }
    }
    if (is_alpha(c) || c == '*') {
      // §4.2.6: token = ( ALPHA / "*" ) *( tchar / ":" / "/" )
      std::size_t n = 1;
      while (n < s_.size() && (is_tchar(s_[n]) || s_[n] == ':' || s_[n] == '/')) ++n;
      item.kind = SfItem::Kind::token;
      item.text = std::string(s_.substr(0, n));
      s_.remove_prefix(n);
      return item;
    }
    if (c == ':') {
      // §4.2.7: ":" *(base64) ":"
      s_.remove_prefix(1);
      std::size_t n = 0;
      while (n < s_.size() &&
             (is_alpha(s_[n]) || is_digit(s_[n]) || s_[n] == '+' || s_[n] == '/' || s_[n] == '='))
        ++n;
      if (n == s_.size() || s_[n] != ':') return std::nullopt;
      item.kind = SfItem::Kind::bytes;
      item.text = std::string(s_.substr(0, n));
      s_.remove_prefix(n + 1);
      return item;
    }
    if (c == '?') {
      // §4.2.8: "?" ( "0" / "1" )
      if (s_.size() < 2 || (s_[1] != '0' && s_[1] != '1')) return std::nullopt;
      item.kind = SfItem::Kind::boolean;
      item.boolean = s_[1] == '1';
      s_.remove_prefix(2);
      return item;
    }
    return std::nullopt;
  }

  // §4.2.4: at most 15 integer digits; a decimal has at most 12 before and 1 to 3 after the point.
  std::optional<SfItem> number() {
    SfItem item;
    item.kind = SfItem::Kind::integer;
    bool negative = false;
    if (peek('-')) {
      negative = true;
      s_.remove_prefix(1);
    }
    if (s_.empty() || !is_digit(s_.front())) return std::nullopt;
    std::int64_t value = 0;
    std::size_t digits = 0, fraction = 0;
    bool decimal = false;
    while (!s_.empty()) {
      const char c = s_.front();
      if (is_digit(c)) {
        if (decimal) {
          if (++fraction > 3) return std::nullopt;
        } else {
          if (++digits > 15) return std::nullopt;
          value = value * 10 + (c - '0');
        }
      } else if (c == '.' && !decimal) {
        if (digits > 12) return std::nullopt;
        decimal = true;
      } else {
        break;
      }
      s_.remove_prefix(1);
    }
    if (decimal && fraction == 0) return std::nullopt;
    item.kind = decimal ? SfItem::Kind::decimal : SfItem::Kind::integer;
    item.integer = negative ? -value : value;
    return item;
  }

  std::string_view s_;
};

}  // namespace

std::optional<std::vector<SfMember>> parse_sf_dictionary(std::string_view text) {
  // §4.2: leading and trailing SP are discarded.
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return Parser(text).dictionary();
}

}  // namespace endhost::http::cache
