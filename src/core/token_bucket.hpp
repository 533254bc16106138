// TokenBucket: paces what one connection writes to `rate` bytes per second (the web server's --limit-rate,
// like nginx's limit_rate). Sans-I/O: the caller hands in instants from its Clock and does the waiting (a
// timer until ready_at(), never a blocking sleep), so tests drive it with a ManualClock.
//
// Contract: before a write, ask available(now); 0 means wait until ready_at(). After the write, spend() what
// actually left. A write may take more than available() (an HTTP/2 frame or a TLS record retry cannot be
// cut): the bucket then goes into debt, which is paid by waiting, so the average rate holds either way.
// The bucket holds at most `burst` bytes, which bounds how far ahead of the rate an idle connection gets. It
// starts with a quarter of that, so a small response leaves at once while a large one keeps to L/R from its
// first byte (the lab's hol experiment compares with exactly that model).
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/clock.hpp"

namespace endhost::core {

class TokenBucket {
 public:
  // 20 ms at the rate, at least 1 KiB: small enough that pacing is smooth, large enough that a write is not
  // a handful of bytes.
  static std::uint64_t default_burst(std::uint64_t rate) { return std::max<std::uint64_t>(rate / 50, 1024); }

  // `rate` > 0 bytes per second.
  TokenBucket(std::uint64_t rate, std::uint64_t burst, Instant now)
      : rate_(std::max<std::uint64_t>(rate, 1)),
        cap_(static_cast<std::int64_t>(std::max<std::uint64_t>(burst, 1)) * 1000),
        wake_(std::max<std::int64_t>(cap_ / 4, 1000)),
        credit_(wake_),
        last_(now) {}
  TokenBucket(std::uint64_t rate, Instant now) : TokenBucket(rate, default_burst(rate), now) {}

  std::uint64_t rate() const { return rate_; }

  // Bytes that may be written now; 0 while the bucket is empty or in debt.
  std::uint64_t available(Instant now) {
    refill(now);
    return credit_ > 0 ? static_cast<std::uint64_t>(credit_ / 1000) : 0;
  }

  // `bytes` were written.
  void spend(std::uint64_t bytes) {
    credit_ -= static_cast<std::int64_t>(std::min<std::uint64_t>(bytes, kMaxSpend)) * 1000;
  }

  // When it is worth writing again: the bucket holds a quarter of its burst (so writes after a wait are not
  // tiny). Meaningful after available() returned 0; never before the last instant handed in.
  Instant ready_at() const {
    if (credit_ >= wake_) return last_;
    const std::int64_t missing = wake_ - credit_;  // milli-bytes; rate_ milli-bytes arrive per millisecond
    const std::int64_t ms =
        (missing + static_cast<std::int64_t>(rate_) - 1) / static_cast<std::int64_t>(rate_);
    return last_ + Millis(ms);
  }

 private:
  // One spend is at most this (a debt beyond it would only mean waiting for years).
  static constexpr std::uint64_t kMaxSpend = std::uint64_t{1} << 40;

  void refill(Instant now) {
    if (now <= last_) return;
    const std::int64_t ms = (now - last_).count();
    last_ = now;
    // Credit is kept in milli-bytes: `rate_` bytes per second is exactly `rate_` milli-bytes per millisecond.
    const std::int64_t room = cap_ - credit_;
    if (room <= 0) return;
    if (ms >= room / static_cast<std::int64_t>(rate_) + 1) {
      credit_ = cap_;
    } else {
      credit_ = std::min(cap_, credit_ + ms * static_cast<std::int64_t>(rate_));
    }
  }

  std::uint64_t rate_;
  std::int64_t cap_;     // milli-bytes
  std::int64_t wake_;    // milli-bytes worth waking for
  std::int64_t credit_;  // milli-bytes; negative: in debt
  Instant last_;
};

}  // namespace endhost::core
