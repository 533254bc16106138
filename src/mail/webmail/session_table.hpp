// The webmail's logged-in sessions: an id (the cookie's value) and a CSRF token per session, 128 random bits
// each from the caller, an idle timeout and an absolute one, a bound on sessions (the least recently used
// goes first) and on the event streams each may hold open. Times are the caller's (milliseconds on a steady
// clock), so the table is tested without one. Thread-safe: every loop of the server shares one table.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace endhost::mail::webmail {

using Millis = std::chrono::milliseconds;

inline constexpr std::string_view kCookieName = "endhost_webmail";
inline constexpr std::size_t kTokenBytes = 16;  // 128 bits: the id and the CSRF token each

struct SessionLimits {
  Millis idle{30 * 60 * 1000};           // no request for this long: logged out (OWASP: 15-30 min)
  Millis absolute{12 * 60 * 60 * 1000};  // logged out this long after the login, however busy
  std::size_t max_sessions = 10'000;
  std::size_t max_streams = 3;  // event streams open at once per session (a few tabs)
};

struct SessionInfo {
  std::string id;
  std::string csrf;
  std::string user;
};

class SessionTable {
 public:
  explicit SessionTable(SessionLimits limits = {}) : limits_(limits) {}

  // A new session for `user`; `random` gives the id (first half) and the CSRF token (second half).
  SessionInfo create(std::string user, std::span<const std::uint8_t, 2 * kTokenBytes> random, Millis now);
  // The live session `id` (its last use set to `now`), or nullopt when unknown, idle too long or too old (it
  // is then forgotten).
  std::optional<SessionInfo> touch(std::string_view id, Millis now);
  // Whether `id` is live at `now`, without counting as a use (an open event stream is not activity).
  bool alive(std::string_view id, Millis now) const;
  bool remove(std::string_view id);
  // Takes one of the session's stream slots; false when all are taken or the session is gone.
  bool acquire_stream(std::string_view id);
  void release_stream(std::string_view id);
  std::size_t size() const;
  const SessionLimits& limits() const { return limits_; }

 private:
  struct Entry {
    std::string csrf;
    std::string user;
    Millis created{};
    Millis last_used{};
    std::size_t streams = 0;
  };
  bool live(const Entry& e, Millis now) const;

  SessionLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> sessions_;
};

// 32 lower-case hex digits: what create() makes and the only form a cookie's id is looked up in.
bool valid_token(std::string_view token);
// Compares in time independent of where they differ (a token guessed byte by byte learns nothing).
bool tokens_equal(std::string_view a, std::string_view b);
std::string hex_token(std::span<const std::uint8_t, kTokenBytes> bytes);

// "endhost_webmail=<id>; Path=/; HttpOnly; SameSite=Strict[; Secure]" (RFC 6265 §4.1, and
// draft-ietf-httpbis-rfc6265bis §4.1.2.7 for SameSite). No Max-Age: a browser session cookie, the server
// keeps the timeouts. An empty id writes the cookie that deletes it (Max-Age=0).
std::string session_cookie(std::string_view id, bool secure);

}  // namespace endhost::mail::webmail
