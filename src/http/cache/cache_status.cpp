#include "http/cache/cache_status.hpp"

#include <cctype>

namespace endhost::http::cache {

namespace {

// RFC 8941 §3.3.4: sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" ).
bool is_sf_token(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '*')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("!#$%&'*+-.^_`|~:/").find(c) != std::string_view::npos))
      return false;
  return true;
}

// RFC 8941 §3.3.3: printable ASCII, with '"' and '\' escaped.
void append_sf_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string_view to_string(Forward f) noexcept {
  switch (f) {
    case Forward::none:
      return "";
    case Forward::bypass:
      return "bypass";
    case Forward::method:
      return "method";
    case Forward::uri_miss:
      return "uri-miss";
    case Forward::vary_miss:
      return "vary-miss";
    case Forward::miss:
      return "miss";
    case Forward::request:
      return "request";
    case Forward::stale:
      return "stale";
    case Forward::partial:
      return "partial";
  }
  return "";
}

void append_cache_status(std::string& out, std::string_view name, const CacheStatus& s) {
  if (is_sf_token(name))
    out += name;
  else
    append_sf_string(out, name);
  if (s.hit) out += "; hit";
  if (s.fwd != Forward::none) {
    out += "; fwd=";
    out += to_string(s.fwd);
  }
  if (s.fwd_status) {
    out += "; fwd-status=";
    out += std::to_string(*s.fwd_status);
  }
  if (s.ttl) {
    out += "; ttl=";
    out += std::to_string(*s.ttl);
  }
  if (s.stored) out += "; stored";
  if (s.collapsed) out += "; collapsed";
  if (!s.detail.empty()) {
    out += "; detail=";
    if (is_sf_token(s.detail))
      out += s.detail;
    else
      append_sf_string(out, s.detail);
  }
}

}  // namespace endhost::http::cache
