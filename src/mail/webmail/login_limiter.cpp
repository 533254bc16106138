#include "mail/webmail/login_limiter.hpp"

#include <algorithm>
#include <iterator>

namespace endhost::mail::webmail {

void LoginLimiter::prune(std::deque<std::chrono::milliseconds>& times, std::chrono::milliseconds now) const {
  while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
}

std::optional<std::chrono::milliseconds> LoginLimiter::retry_after(std::string_view key,
                                                                   std::chrono::milliseconds now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  prune(it->second, now);
  if (it->second.empty()) {  // forgotten, so no key is kept without a failure in it
    failures_.erase(it);
    return std::nullopt;
  }
  if (it->second.size() < limits_.max_failures) return std::nullopt;
  // The failure that must leave the window for the count to drop below the limit.
  const auto oldest = it->second[it->second.size() - limits_.max_failures];
  return oldest + limits_.window - now;
}

void LoginLimiter::failed(std::string_view key, std::chrono::milliseconds now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    if (failures_.size() >= limits_.max_keys) {
      for (auto k = failures_.begin(); k != failures_.end();) {
        prune(k->second, now);
        k = k->second.empty() ? failures_.erase(k) : std::next(k);
      }
    }
    while (!failures_.empty() && failures_.size() >= limits_.max_keys) {
      auto least = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
        return a.second.back() < b.second.back();
      });
      failures_.erase(least);
    }
    it = failures_.emplace(std::string(key), std::deque<std::chrono::milliseconds>{}).first;
  }
  prune(it->second, now);
  it->second.push_back(now);
  // Only the newest max_failures matter for retry_after.
  while (it->second.size() > limits_.max_failures) it->second.pop_front();
}

void LoginLimiter::succeeded(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it != failures_.end()) failures_.erase(it);
}

std::size_t LoginLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

}  // namespace endhost::mail::webmail
