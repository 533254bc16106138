#include "http/url.hpp"

#include <cctype>
#include <charconv>

namespace endhost::http {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// RFC 3986 §2: unreserved, reserved and '%'. Anything else (space, controls, '"', '<', '>', '\', '^', '`',
// '{', '|', '}' and non-ASCII) must have been percent-encoded by the sender.
bool uri_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '}':
    case '|':
      return false;
    default:
      return true;
  }
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Splits "userinfo@host:port" into the Url's fields.
Expected<void, std::string> parse_authority(std::string_view auth, Url& url) {
  if (auto at = auth.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(auth.substr(0, at));
    auth.remove_prefix(at + 1);
  }
  std::string_view host = auth, port;
  if (!auth.empty() && auth.front() == '[') {
    const auto close = auth.find(']');
    if (close == std::string_view::npos) return Unexpected(std::string("IPv6 address without a closing ']'"));
    host = auth.substr(1, close - 1);
    const auto rest = auth.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Unexpected(std::string("unexpected text after ']'"));
      port = rest.substr(1);
    }
    for (char c : host)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'))
        return Unexpected(std::string("bad IPv6 address"));
  } else {
    if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
      host = auth.substr(0, colon);
      port = auth.substr(colon + 1);
    }
    for (char c : host)
      if (!host_char(c)) return Unexpected("bad character in host name '" + std::string(host) + "'");
  }
  if (host.empty()) return Unexpected(std::string("the URL has no host"));
  url.host = to_lower(host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return Unexpected("bad port '" + std::string(port) + "'");
    url.port = static_cast<std::uint16_t>(value);
  }
  return {};
}

}  // namespace

std::string Url::authority() const {
  std::string out = bracketed(host);
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

std::string Url::host_port() const {
  return bracketed(host) + ":" + std::to_string(port);
}

std::string Url::origin() const {
  return scheme + "://" + authority();
}

std::string Url::to_string() const {
  return origin() + path_query;
}

std::string_view Url::path() const {
  std::string_view pq = path_query;
  return pq.substr(0, pq.find('?'));
}

Expected<Url, std::string> parse_url(std::string_view text, UrlChars chars) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return Unexpected("'" + std::string(text) + "' is not an absolute URL (expected http://host/path)");
  Url url;
  url.scheme = to_lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https")
    return Unexpected("'" + std::string(text) + "' is not an http or https URL");
  std::string_view rest = text.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  for (char c : rest) {
    if (uri_char(c)) continue;
    const auto u = static_cast<unsigned char>(c);
    if (chars == UrlChars::as_sent && u > 0x20 && u < 0x7f) continue;  // host_char() still checks the host
    return Unexpected("'" + std::string(text) + "' has a character that must be %-encoded");
  }
  const auto path_start = rest.find_first_of("/?");
  const std::string_view auth = rest.substr(0, path_start);
  if (auto ok = parse_authority(auth, url); !ok)
    return Unexpected(ok.error() + " in '" + std::string(text) + "'");
  std::string_view pq = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  // RFC 9110 §4.2.3: an empty path is equivalent to "/".
  if (pq.empty() || pq.front() == '?')
    url.path_query = "/" + std::string(pq);
  else
    url.path_query = std::string(pq);
  return url;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const auto next = in.find('/', 1);
      const auto seg = in.substr(0, next);
      out += seg;
      in.remove_prefix(seg.size());
    }
  }
  return out;
}

Expected<Url, std::string> resolve_url(const Url& base, std::string_view ref) {
  if (auto hash = ref.find('#'); hash != std::string_view::npos) ref = ref.substr(0, hash);
  // A reference with a scheme is absolute (RFC 3986 §5.2.2).
  const auto colon = ref.find(':');
  const auto first_delim = ref.find_first_of("/?");
  if (colon != std::string_view::npos && colon > 0 &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    return parse_url(ref);
  }
  for (char c : ref)
    if (!uri_char(c)) return Unexpected("'" + std::string(ref) + "' has a character that must be %-encoded");
  if (ref.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(ref));
  Url url = base;
  if (ref.empty()) return url;
  if (ref.front() == '?') {
    url.path_query = std::string(base.path()) + std::string(ref);
    return url;
  }
  const auto q = ref.find('?');
  const std::string_view ref_path = ref.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : ref.substr(q);
  std::string merged;
  if (ref_path.front() == '/') {
    merged = std::string(ref_path);
  } else {
    // §5.2.3: everything of the base path up to its last '/', then the reference.
    const std::string_view bp = base.path();
    merged = std::string(bp.substr(0, bp.rfind('/') + 1)) + std::string(ref_path);
  }
  url.path_query = remove_dot_segments(merged) + std::string(query);
  if (url.path_query.empty() || url.path_query.front() != '/') url.path_query.insert(0, "/");
  return url;
}

}  // namespace endhost::http
