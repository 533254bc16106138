#include "http/server/cookie.hpp"

namespace endhost::web {

std::optional<std::string_view> find_cookie(http::FieldsView fields, std::string_view name) noexcept {
  for (const http::FieldView& f : fields) {
    if (!http::iequals(f.name, "cookie")) continue;
    std::string_view rest = f.value;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest.remove_prefix(semi == std::string_view::npos ? rest.size() : semi + 1);
      while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
      while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;  // names are case-sensitive
      std::string_view value = pair.substr(eq + 1);
      // cookie-value may be wrapped in DQUOTEs (RFC 6265 §4.1.1).
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return std::nullopt;
}

bool valid_session_id(std::string_view id) noexcept {
  if (id.size() != kSessionIdLength) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string session_set_cookie(std::string_view id, std::int64_t max_age_seconds) {
  std::string s(kSessionCookie);
  s += '=';
  s += id;
  s += "; Path=/; Max-Age=";
  s += std::to_string(max_age_seconds);
  // HttpOnly: scripts cannot read it; SameSite=Lax: not sent on cross-site subrequests (RFC 6265bis).
  s += "; HttpOnly; SameSite=Lax";
  return s;
}

}  // namespace endhost::web
