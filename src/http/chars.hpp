// Character classes of RFC 9110 §5.6 and RFC 3986 as constexpr lookup tables, shared by the parsers and the
// field-value helpers. Internal to src/http; one table lookup per byte keeps the hot loops branch-light.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace endhost::http::chars {

namespace detail {
template <class Pred>
constexpr std::array<bool, 256> make_table(Pred pred) {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = pred(c);
  return t;
}
constexpr bool alpha(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr bool digit(int c) {
  return c >= '0' && c <= '9';
}
}  // namespace detail

// tchar (RFC 9110 §5.6.2): the characters of a token (method, field name, coding name).
inline constexpr auto tchar = detail::make_table([](int c) {
  return detail::alpha(c) || detail::digit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
});

// field-vchar / SP / HTAB (RFC 9110 §5.5): everything allowed inside a field value. obs-text (0x80-0xFF) is
// allowed; NUL, CR, LF, DEL and the other CTLs are not.
inline constexpr auto field_value =
    detail::make_table([](int c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });

// Request-target bytes: VCHAR except '#' (a fragment is never sent, RFC 9112 §3.2). RFC 3986 forbids a few
// more VCHARs ('"', '<', '>', '\', '^', '`', '{', '|', '}') but real clients send them unescaped in queries;
// they cannot change how the line is split, so we accept them, as nginx and h2o do.
inline constexpr auto target = detail::make_table([](int c) { return c > 0x20 && c < 0x7f && c != '#'; });

// reg-name / IPv4 / IP-literal / port bytes of a Host value or authority (RFC 3986 §3.2.2).
inline constexpr auto host = detail::make_table([](int c) {
  return detail::alpha(c) || detail::digit(c) ||
         std::string_view("-._~%!$&'()*+,;=:[]").find(static_cast<char>(c)) != std::string_view::npos;
});

// Reason-phrase: HTAB / SP / VCHAR / obs-text (RFC 9112 §4).
inline constexpr auto reason = field_value;

constexpr bool is_tchar(char c) {
  return tchar[static_cast<unsigned char>(c)];
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Without the optional white space (SP and HTAB, RFC 9110 §5.6.3) at either end.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An ASCII lower-case copy, for names compared without case (tokens, field names, hosts); other bytes stay.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

}  // namespace endhost::http::chars
