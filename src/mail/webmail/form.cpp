#include "mail/webmail/form.hpp"

#include <charconv>

namespace endhost::mail::webmail {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Form Form::parse(std::string_view encoded, std::size_t max_fields) {
  Form f;
  std::size_t start = 0;
  while (start < encoded.size()) {
    std::size_t amp = encoded.find('&', start);
    if (amp == std::string_view::npos) amp = encoded.size();
    const std::string_view pair = encoded.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    if (f.fields_.size() >= max_fields) {
      f.truncated_ = true;
      break;
    }
    const std::size_t eq = pair.find('=');
    f.fields_.emplace_back(decode_component(pair.substr(0, eq)), eq == std::string_view::npos
                                                                     ? std::string()
                                                                     : decode_component(pair.substr(eq + 1)));
  }
  return f;
}

std::optional<std::string> Form::get(std::string_view name) const {
  for (const auto& [k, v] : fields_)
    if (k == name) return v;
  return std::nullopt;
}

std::string Form::get_or(std::string_view name, std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : std::string(fallback);
}

std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

std::optional<std::vector<std::uint32_t>> parse_uid_list(std::string_view text, std::size_t max) {
  std::vector<std::uint32_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    auto v = parse_count(text.substr(start, comma - start), UINT32_MAX);
    if (!v || *v == 0 || out.size() >= max) return std::nullopt;
    out.push_back(static_cast<std::uint32_t>(*v));
    start = comma + 1;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace endhost::mail::webmail
