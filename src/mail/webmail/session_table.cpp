#include "mail/webmail/session_table.hpp"

#include <algorithm>

namespace endhost::mail::webmail {

std::string hex_token(std::span<const std::uint8_t, kTokenBytes> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * kTokenBytes);
  for (std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool valid_token(std::string_view token) {
  return token.size() == 2 * kTokenBytes && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool tokens_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

std::string session_cookie(std::string_view id, bool secure) {
  std::string c(kCookieName);
  c += '=';
  c += id;
  c += "; Path=/; HttpOnly; SameSite=Strict";
  if (id.empty()) c += "; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

bool SessionTable::live(const Entry& e, Millis now) const {
  return now - e.last_used < limits_.idle && now - e.created < limits_.absolute;
}

SessionInfo SessionTable::create(std::string user, std::span<const std::uint8_t, 2 * kTokenBytes> random,
                                 Millis now) {
  SessionInfo info;
  info.id = hex_token(random.first<kTokenBytes>());
  info.csrf = hex_token(random.last<kTokenBytes>());
  info.user = user;
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= limits_.max_sessions) {
    std::erase_if(sessions_, [&](const auto& kv) { return !live(kv.second, now); });
  }
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    sessions_.erase(oldest);
  }
  sessions_[info.id] = Entry{info.csrf, std::move(user), now, now, 0};
  return info;
}

std::optional<SessionInfo> SessionTable::touch(std::string_view id, Millis now) {
  if (!valid_token(id)) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (!live(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return SessionInfo{it->first, it->second.csrf, it->second.user};
}

bool SessionTable::alive(std::string_view id, Millis now) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  return it != sessions_.end() && live(it->second, now);
}

bool SessionTable::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  sessions_.erase(it);
  return true;
}

bool SessionTable::acquire_stream(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.streams >= limits_.max_streams) return false;
  ++it->second.streams;
  return true;
}

void SessionTable::release_stream(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it != sessions_.end() && it->second.streams > 0) --it->second.streams;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace endhost::mail::webmail
