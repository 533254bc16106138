#include "http/server/basic_auth.hpp"

#include "auth/user_db.hpp"
#include "http/fields.hpp"

namespace endhost::web {

namespace {

int b64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool base64_decode(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = b64_value(c);
      if (v[k] < 0) return false;
    }
    const unsigned n = static_cast<unsigned>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out += static_cast<char>(n >> 16 & 0xff);
    if (pad < 2) out += static_cast<char>(n >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
    // Canonical encoding only: the bits the padding leaves over must be zero (RFC 4648 §3.5).
    if ((pad == 1 && (v[2] & 0x3)) || (pad == 2 && (v[1] & 0xf))) return false;
  }
  return true;
}

std::optional<Credentials> parse_basic_authorization(std::string_view value) {
  // credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ] (RFC 9110 §11.4)
  const std::size_t sp = value.find(' ');
  if (sp == std::string_view::npos || !http::iequals(value.substr(0, sp), "basic")) return std::nullopt;
  std::string_view token = value.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  std::string decoded;
  if (token.empty() || !base64_decode(token, decoded)) return std::nullopt;
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  // RFC 7617 §2: no control characters in either part.
  for (char c : decoded)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

Expected<std::vector<PasswordEntry>, HtpasswdError> parse_htpasswd(std::string_view text) {
  // An htpasswd line `user:hash` is a users-file line with the optional fields left out.
  auto users = auth::parse_users(text);
  if (!users) return Unexpected(std::move(users).error());
  std::vector<PasswordEntry> entries;
  for (auto& u : *users) entries.push_back(PasswordEntry{std::move(u.name), std::move(u.hash), u.scheme});
  return entries;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace endhost::web
