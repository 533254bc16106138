#include "imap/message/wire_string.hpp"

#include <string_view>

namespace endhost::imap::message {

namespace {

// RFC 3501 §9 atom-specials: "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials.
bool atom_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  constexpr std::string_view kSpecials = "(){%*\"\\]";
  return kSpecials.find(static_cast<char>(c)) == std::string_view::npos;
}

}  // namespace

bool quotable(std::string_view s) {
  if (s.size() > kMaxQuotedString) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) return false;
  }
  return true;
}

bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (const char ch : s)
    if (!atom_char(static_cast<unsigned char>(ch))) return false;
  const bool nil = s.size() == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l';
  return !nil;
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_literal(std::string& out, std::string_view s) {
  out += '{';
  out += std::to_string(s.size());
  out += "}\r\n";
  out += s;
}

void append_quoted_or_literal(std::string& out, std::string_view s) {
  if (quotable(s)) {
    append_quoted(out, s);
  } else {
    append_literal(out, s);
  }
}

void append_nstring(std::string& out, std::optional<std::string_view> s) {
  if (!s) {
    out += "NIL";
    return;
  }
  append_quoted_or_literal(out, *s);
}

void append_astring(std::string& out, std::string_view s) {
  if (is_atom(s)) {
    out += s;
  } else {
    append_quoted_or_literal(out, s);
  }
}

}  // namespace endhost::imap::message
