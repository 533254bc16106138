#include "auth/user_db.hpp"

#include <array>
#include <charconv>

namespace endhost::auth {
namespace {

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// uid and gid: empty (not given) or a decimal number that fits 32 bits.
bool parse_id(std::string_view field, std::optional<std::uint32_t>& out) {
  if (field.empty()) return true;
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc{} || end != field.data() + field.size()) return false;
  out = v;
  return true;
}

// Splits at the first seven ':'; the eighth field (extra_fields) keeps any further ':'.
std::array<std::string_view, 8> split_fields(std::string_view line) {
  std::array<std::string_view, 8> f{};
  for (std::size_t i = 0; i < 7; ++i) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      f[i] = line;
      return f;
    }
    f[i] = line.substr(0, colon);
    line.remove_prefix(colon + 1);
  }
  f[7] = line;
  return f;
}

}  // namespace

std::optional<std::string> invalid_user_name(std::string_view name) {
  if (name.empty()) return "the user name is empty";
  for (char c : name) {
    if (c == ':') return "the user name '" + std::string(name) + "' contains ':'";
    if (is_control(c)) return std::string("the user name contains a control character");
  }
  if (name.front() == '#') return "the user name '" + std::string(name) + "' starts with '#'";
  if (is_blank(name.front()) || is_blank(name.back()))
    return "the user name '" + std::string(name) + "' starts or ends with white space";
  return std::nullopt;
}

Expected<std::vector<User>, LineError> parse_users(std::string_view text) {
  std::vector<User> users;
  std::vector<std::size_t> lines;  // where each user was given, for the duplicate message
  std::size_t line_no = 0;
  const auto fail = [&](std::string what) { return Unexpected(LineError{line_no, std::move(what)}); };
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    const std::string_view trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    for (char c : line)
      if (is_control(c) && c != '\t') return fail("control character in the line");
    const auto f = split_fields(line);
    if (auto why = invalid_user_name(f[0])) return fail(*why);
    if (line.find(':') == std::string_view::npos)
      return fail("expected name:{SCHEME}hash[:uid:gid:gecos:home:shell:extra]");
    const std::string name(f[0]);
    auto stored = parse_password_field(f[1]);
    if (!stored) return fail("user '" + name + "': " + stored.error());
    User u;
    u.name = name;
    u.hash = std::move(stored->hash);
    u.scheme = stored->scheme;
    if (!parse_id(f[2], u.uid))
      return fail("user '" + name + "': uid '" + std::string(f[2]) + "' is not a number");
    if (!parse_id(f[3], u.gid))
      return fail("user '" + name + "': gid '" + std::string(f[3]) + "' is not a number");
    u.gecos = f[4];
    u.home = f[5];
    u.shell = f[6];
    u.extra = f[7];
    for (std::size_t i = 0; i < users.size(); ++i)
      if (users[i].name == name)
        return fail("user '" + name + "' is given twice (first on line " + std::to_string(lines[i]) + ")");
    users.push_back(std::move(u));
    lines.push_back(line_no);
  }
  return users;
}

Expected<UserDb, std::string> UserDb::parse(std::string_view text, std::string_view origin) {
  auto users = parse_users(text);
  if (!users)
    return Unexpected(std::string(origin) + ":" + std::to_string(users.error().line) + ": " +
                      users.error().message);
  UserDb db;
  db.users_ = std::move(*users);
  return db;
}

const User* UserDb::find(std::string_view name) const {
  for (const User& u : users_)
    if (u.name == name) return &u;
  return nullptr;
}

}  // namespace endhost::auth
