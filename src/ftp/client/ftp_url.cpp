#include "ftp/client/ftp_url.hpp"

#include <cctype>

#include "core/host_port.hpp"

namespace endhost::ftp::client {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

bool is_ftp_url(std::string_view text) {
  if (text.size() < 6) return false;
  const std::string_view scheme = "ftp://";
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != scheme[i]) return false;
  return true;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string FtpUrl::authority() const {
  return bracketed(host) + ":" + std::to_string(port);
}

std::string FtpUrl::display() const {
  std::string s = "ftp://" + bracketed(host);
  if (port != kFtpPort) s += ":" + std::to_string(port);
  for (const auto& d : dirs) s += "/" + d;
  s += "/" + file;
  return s;
}

Expected<FtpUrl, std::string> parse_ftp_url(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (!is_ftp_url(text)) return Unexpected(quoted + " is not an ftp:// URL");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return Unexpected(quoted + " holds a space or a control character (percent-encode it)");
  std::string_view rest = text.substr(6);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == rest.npos ? std::string_view() : rest.substr(slash + 1);
  if (const auto hash = path.find('#'); hash != path.npos) path = path.substr(0, hash);

  FtpUrl url;
  // RFC 1738 §3.1: user and password are before the last '@' of the authority.
  if (const auto at = authority.rfind('@'); at != authority.npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    if (!user || has_line_break(*user)) return Unexpected(quoted + " has a bad user name");
    url.user = *user;
    if (colon != userinfo.npos) {
      auto password = percent_decode(userinfo.substr(colon + 1));
      if (!password || has_line_break(*password)) return Unexpected(quoted + " has a bad password");
      url.password = *password;
    }
  }
  if (authority.empty()) return Unexpected(quoted + " has no host");
  auto hp = core::parse_host_port(authority, kFtpPort);
  if (!hp) return Unexpected(quoted + ": " + hp.error());
  if (hp->host.empty()) return Unexpected(quoted + " has no host");
  if (hp->port == 0) return Unexpected(quoted + ": port 0 cannot be connected to");
  url.host = hp->host;
  url.port = hp->port;

  // RFC 1738 §3.2.2: ";type=" after the last segment.
  if (const auto semi = path.rfind(';'); semi != path.npos && path.find('/', semi) == path.npos) {
    std::string_view param = path.substr(semi + 1);
    path = path.substr(0, semi);
    if (param.size() != 6 || param.substr(0, 5) != "type=")
      return Unexpected(quoted + ": unknown parameter ';" + std::string(param) + "' (only ;type=a|i|d)");
    const char t = static_cast<char>(std::tolower(static_cast<unsigned char>(param[5])));
    if (t != 'a' && t != 'i' && t != 'd') return Unexpected(quoted + ": ;type= takes a, i or d");
    url.type = t;
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find('/', start);
    auto seg = percent_decode(path.substr(start, end == path.npos ? path.npos : end - start));
    if (!seg) return Unexpected(quoted + " has a bad %-escape in its path");
    if (has_line_break(*seg)) return Unexpected(quoted + " holds a line break or NUL in its path");
    segments.push_back(std::move(*seg));
    if (end == path.npos) break;
    start = end + 1;
  }
  url.file = std::move(segments.back());
  segments.pop_back();
  // Empty segments ("a//b") would be "CWD " with no argument; RFC 1738 says send it, curl skips it: skip.
  for (auto& s : segments)
    if (!s.empty()) url.dirs.push_back(std::move(s));
  return url;
}

}  // namespace endhost::ftp::client
