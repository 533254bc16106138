#include "http/server/link_preload.hpp"

#include "http/fields.hpp"

namespace endhost::web {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A token or quoted-string parameter value (RFC 8288 §3, RFC 9110 §5.6.4), unquoted (escapes dropped).
std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// rel is a space-separated list of relation types, compared case-insensitively (RFC 8288 §3.3).
bool has_preload(std::string_view rel) {
  while (!rel.empty()) {
    while (!rel.empty() && is_space(rel.front())) rel.remove_prefix(1);
    std::size_t end = 0;
    while (end < rel.size() && !is_space(rel[end])) ++end;
    if (http::iequals(rel.substr(0, end), "preload")) return true;
    rel.remove_prefix(end);
  }
  return false;
}

// The target as a path of the base's origin, or "" when it is another origin or cannot be a :path.
std::string same_origin_path(std::string_view target, const LinkBase& base) {
  std::string path;
  const std::size_t colon = target.find(':');
  const std::size_t slash = target.find('/');
  if (target.starts_with("//")) {
    // A network-path reference (RFC 3986 §4.2): the base's scheme, its own authority.
    target.remove_prefix(2);
    const std::size_t end = target.find_first_of("/?#");
    if (!http::iequals(target.substr(0, end), base.authority)) return {};
    path.assign(end == std::string_view::npos ? std::string_view("/") : target.substr(end));
  } else if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    // An absolute URI: same scheme and authority only.
    if (!http::iequals(target.substr(0, colon), base.scheme) || !target.substr(colon + 1).starts_with("//"))
      return {};
    return same_origin_path(target.substr(colon + 1), base);
  } else if (target.starts_with("/")) {
    path.assign(target);
  } else {
    // Relative to the request's directory (RFC 3986 §5.2.3; dot segments are the router's to refuse).
    const std::size_t dir = base.path.rfind('/');
    path.assign(base.path.substr(0, dir == std::string_view::npos ? 0 : dir + 1));
    if (path.empty()) path = "/";
    path.append(target);
  }
  if (const std::size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path.front() != '/') return {};
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return {};
  }
  return path;
}

}  // namespace

void append_preload_paths(std::string_view value, const LinkBase& base, std::vector<std::string>& out,
                          std::size_t limit) {
  std::size_t i = 0;
  while (i < value.size() && out.size() < limit) {
    // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), the values separated by commas.
    while (i < value.size() && (is_space(value[i]) || value[i] == ',')) ++i;
    if (i >= value.size()) break;
    std::string_view target;
    bool ok = value[i] == '<';
    if (ok) {
      const std::size_t close = value.find('>', i + 1);
      if (close == std::string_view::npos) return;
      target = trim(value.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    // The parameters, up to the next comma outside a quoted string.
    bool preload = false, nopush = false;
    while (i < value.size() && value[i] != ',') {
      if (value[i] != ';') {
        if (!is_space(value[i])) ok = false;
        ++i;
        continue;
      }
      ++i;
      const std::size_t start = i;
      bool quoted = false;
      while (i < value.size() && (quoted || (value[i] != ';' && value[i] != ','))) {
        if (value[i] == '\\' && quoted && i + 1 < value.size()) {
          i += 2;
          continue;
        }
        if (value[i] == '"') quoted = !quoted;
        ++i;
      }
      const std::string_view param = value.substr(start, i - start);
      const std::size_t eq = param.find('=');
      const std::string_view name = trim(param.substr(0, eq));
      if (http::iequals(name, "rel") && eq != std::string_view::npos) {
        preload = has_preload(unquote(param.substr(eq + 1)));
      } else if (http::iequals(name, "nopush")) {
        nopush = true;
      }
    }
    if (!ok || !preload || nopush || target.empty()) continue;
    std::string path = same_origin_path(target, base);
    if (path.empty()) continue;
    bool seen = false;
    for (const std::string& p : out) seen = seen || p == path;
    if (!seen) out.push_back(std::move(path));
  }
}

}  // namespace endhost::web
