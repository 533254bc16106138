#include "ftp/client/reply.hpp"

namespace endhost::ftp::client {

std::optional<std::uint64_t> parse_size_reply(const text::CodedReply& r) {
  if (r.code != 213 || r.lines.size() != 1) return std::nullopt;
  const std::string& t = r.lines.front();
  if (t.empty() || t.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::optional<std::string> parse_pwd_reply(const text::CodedReply& r) {
  if (r.code != 257 || r.lines.empty()) return std::nullopt;
  const std::string& text = r.lines.front();
  const auto open = text.find('"');
  if (open == std::string::npos) return std::nullopt;
  std::string name;
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\0') return std::nullopt;
    if (text[i] != '"') {
      name += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '"') {
      name += '"';
      ++i;
      continue;
    }
    return name;
  }
  return std::nullopt;
}

}  // namespace endhost::ftp::client
