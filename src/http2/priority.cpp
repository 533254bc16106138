#include "http2/priority.hpp"

#include <optional>

namespace endhost::http2 {
namespace {

// RFC 8941 bare items, enough to tell an integer and a boolean from the rest, which are skipped.
struct BareItem {
  enum class Kind { Integer, Boolean, Other } kind = Kind::Other;
  std::int64_t integer = 0;
  bool boolean = false;
};

bool is_lcalpha(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}
bool is_tchar(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++i_;
    return true;
  }
  void skip_sp() {
    while (!done() && s_[i_] == ' ') ++i_;
  }
  void skip_ows() {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }

  // RFC 8941 §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
  std::optional<std::string_view> key() {
    const std::size_t start = i_;
    if (!(is_lcalpha(peek()) || peek() == '*')) return std::nullopt;
    ++i_;
    while (!done()) {
      const char c = s_[i_];
      if (!(is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*')) break;
      ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  // RFC 8941 §4.2.3.1.
  std::optional<BareItem> bare_item() {
    BareItem item;
    const char c = peek();
    if (c == '-' || is_digit(c)) return number();
    if (c == '"') return string_item();
    if (c == '?') {
      ++i_;
      if (eat('0')) {
        item.kind = BareItem::Kind::Boolean;
        item.boolean = false;
        return item;
      }
      if (eat('1')) {
        item.kind = BareItem::Kind::Boolean;
        item.boolean = true;
        return item;
      }
      return std::nullopt;
    }
    if (c == ':') return byte_sequence();
    if (is_alpha(c) || c == '*') {  // §4.2.6 token
      ++i_;
      while (!done() && (is_tchar(s_[i_]) || s_[i_] == ':' || s_[i_] == '/')) ++i_;
      return item;
    }
    return std::nullopt;
  }

  // §4.2.3.2: parameters after an item; their values are parsed for syntax and dropped.
  bool parameters() {
    while (eat(';')) {
      skip_sp();
      if (!key()) return false;
      if (eat('=') && !bare_item()) return false;
    }
    return true;
  }

  // §4.2.1.2: an inner list, parsed for syntax and dropped.
  bool inner_list() {
    if (!eat('(')) return false;
    for (;;) {
      skip_sp();
      if (eat(')')) return parameters();
      if (!bare_item() || !parameters()) return false;
      if (peek() != ' ' && peek() != ')') return false;
    }
  }

 private:
  std::optional<BareItem> number() {
    BareItem item;
    bool negative = eat('-');
    std::size_t digits = 0;
    std::int64_t value = 0;
    bool decimal = false;
    std::size_t fraction = 0;
    while (!done()) {
      const char c = s_[i_];
      if (is_digit(c)) {
        if (decimal) {
          if (++fraction > 3) return std::nullopt;
        } else {
          if (++digits > 15) return std::nullopt;  // §4.2.4: at most 15 integer digits
          value = value * 10 + (c - '0');
        }
        ++i_;
      } else if (c == '.' && !decimal && digits > 0 && digits <= 12) {
        decimal = true;
        ++i_;
      } else {
        break;
      }
    }
    if (digits == 0 || (decimal && fraction == 0)) return std::nullopt;
    if (!decimal) {
      item.kind = BareItem::Kind::Integer;
      item.integer = negative ? -value : value;
    }
    return item;
  }

  std::optional<BareItem> string_item() {  // §4.2.5
    ++i_;
    while (!done()) {
      const char c = s_[i_++];
      if (c == '"') return BareItem{};
      if (c == '\\') {
        if (done() || (s_[i_] != '"' && s_[i_] != '\\')) return std::nullopt;
        ++i_;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<BareItem> byte_sequence() {  // §4.2.7
    ++i_;
    while (!done()) {
      const char c = s_[i_++];
      if (c == ':') return BareItem{};
      if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '=')) return std::nullopt;
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

PriorityParams parse_priority(std::string_view field_value, PriorityParams base) {
  PriorityParams out = base;
  Parser p(field_value);
  p.skip_sp();  // §4.2: leading spaces are discarded
  if (p.done()) {
    out.signalled = true;  // an empty dictionary: every parameter takes its default
    return out;
  }
  for (;;) {
    const auto key = p.key();
    if (!key) return base;
    std::optional<BareItem> value;
    if (p.eat('=')) {
      if (p.peek() == '(') {
        if (!p.inner_list()) return base;
      } else {
        value = p.bare_item();
        if (!value || !p.parameters()) return base;
      }
    } else {
      value = BareItem{BareItem::Kind::Boolean, 0, true};  // §4.2.2: a bare key is the boolean true
      if (!p.parameters()) return base;
    }
    // §4.2.2: a key seen again overrides the earlier value, which the assignment below gives.
    if (*key == "u" && value && value->kind == BareItem::Kind::Integer && value->integer >= 0 &&
        value->integer <= 7) {
      out.urgency = static_cast<std::uint8_t>(value->integer);
    } else if (*key == "i" && value && value->kind == BareItem::Kind::Boolean) {
      out.incremental = value->boolean;
    }
    p.skip_ows();
    if (p.done()) break;
    if (!p.eat(',')) return base;
    p.skip_ows();
    if (p.done()) return base;  // a trailing comma
  }
  out.signalled = true;
  return out;
}

}  // namespace endhost::http2
