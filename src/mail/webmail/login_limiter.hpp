// Login rate limiting for the webmail: failed logins counted per key (the client's address, and the user
// name tried) over a sliding window; past `max_failures` in a window the key is refused until the oldest
// failure leaves it (the 429's Retry-After). Times are the caller's; bounded in keys (failures that left the
// window are forgotten first, then the least recent key). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::mail::webmail {

struct LoginLimits {
  std::size_t max_failures = 5;              // per key per window
  std::chrono::milliseconds window{60'000};  // a minute
  std::size_t max_keys = 10'000;
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}

  // How long `key` must wait before it may try again, or nullopt when it may try now.
  std::optional<std::chrono::milliseconds> retry_after(std::string_view key, std::chrono::milliseconds now);
  void failed(std::string_view key, std::chrono::milliseconds now);
  // A success forgets the key's failures (for the user's key: the owner who mistyped is not held back).
  void succeeded(std::string_view key);
  std::size_t keys() const;

 private:
  void prune(std::deque<std::chrono::milliseconds>& times, std::chrono::milliseconds now) const;

  LoginLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::milliseconds>, std::less<>> failures_;
};

}  // namespace endhost::mail::webmail
