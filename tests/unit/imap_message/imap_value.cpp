#include "imap_value.hpp"

#include <cstdlib>

namespace endhost::imap::message::test {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  std::optional<Value> value(int depth) {
    if (depth > 100 || i_ >= s_.size()) return std::nullopt;
    const char c = s_[i_];
    Value v;
    if (c == '(') {
      ++i_;
      v.kind = Value::Kind::List;
      bool first = true;
      while (i_ < s_.size() && s_[i_] != ')') {
        // Items are separated by one space, except that a list may follow a list directly: `((a)(b))`.
        if (!first && s_[i_] == ' ') ++i_;
        auto item = value(depth + 1);
        if (!item) return std::nullopt;
        v.items.push_back(std::move(*item));
        first = false;
      }
      if (i_ >= s_.size()) return std::nullopt;
      ++i_;
      return v;
    }
    if (c == '"') {
      ++i_;
      v.kind = Value::Kind::String;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\') {
          if (++i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\\')) return std::nullopt;
        } else if (s_[i_] == '\r' || s_[i_] == '\n') {
          return std::nullopt;
        }
        v.text += s_[i_++];
      }
      if (i_ >= s_.size()) return std::nullopt;
      ++i_;
      return v;
    }
    if (c == '{') {
      const std::size_t close = s_.find('}', i_);
      if (close == s_.npos || s_.compare(close + 1, 2, "\r\n") != 0) return std::nullopt;
      const std::string digits(s_.substr(i_ + 1, close - i_ - 1));
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
      const std::size_t n = std::strtoull(digits.c_str(), nullptr, 10);
      const std::size_t start = close + 3;
      if (start + n > s_.size()) return std::nullopt;
      v.kind = Value::Kind::String;
      v.text = std::string(s_.substr(start, n));
      i_ = start + n;
      return v;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '"' &&
           s_[i_] != '{' && static_cast<unsigned char>(s_[i_]) > 0x20 &&
           static_cast<unsigned char>(s_[i_]) < 0x7F)
      ++i_;
    if (i_ == start) return std::nullopt;
    v.text = std::string(s_.substr(start, i_ - start));
    v.kind = v.text == "NIL" ? Value::Kind::Nil : Value::Kind::Atom;
    if (v.kind == Value::Kind::Nil) v.text.clear();
    return v;
  }

  bool done() const { return i_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<Value> parse_value(std::string_view s) {
  Reader r(s);
  auto v = r.value(0);
  if (!v || !r.done()) return std::nullopt;
  return v;
}

std::string show(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Nil:
      return "NIL";
    case Value::Kind::Atom:
      return v.text;
    case Value::Kind::String: {
      std::string out = "\"";
      for (const char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Value::Kind::List: {
      std::string out = "(";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out += ' ';
        out += show(v.items[i]);
      }
      return out + ")";
    }
  }
  return {};
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    if (e == 'r') {
      out += '\r';
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += e;
    }
  }
  return out;
}

}  // namespace endhost::imap::message::test
