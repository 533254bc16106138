// Flow-control windows (RFC 9113 §5.2, §6.9): what a sender may still send on a stream or the connection,
// and the receiver's side, which decides when to give credit back with WINDOW_UPDATE.
#pragma once

#include <cstdint>

#include "http2/frame/settings.hpp"

namespace endhost::http2 {

// §6.9.1 and §6.9.2, in the signed arithmetic the windows use (they may go below zero).
inline constexpr std::int64_t kMaxWindow = kMaxWindowSize;
inline constexpr std::int64_t kDefaultWindow = kDefaultWindowSize;

// The sender's view of one window. It can go negative when the peer lowers SETTINGS_INITIAL_WINDOW_SIZE
// while data is in flight (§6.9.2); nothing may be sent until WINDOW_UPDATEs bring it back above zero.
class SendWindow {
 public:
  explicit SendWindow(std::int64_t initial = kDefaultWindow) : available_(initial) {}

  std::int64_t available() const { return available_; }
  // Bytes that may go now, at most `want`.
  std::int64_t allowance(std::int64_t want) const {
    return available_ <= 0 ? 0 : (want < available_ ? want : available_);
  }
  void consume(std::int64_t n) { available_ -= n; }
  // §6.9.1: a WINDOW_UPDATE that takes the window past 2^31-1 is a FLOW_CONTROL_ERROR (false here).
  [[nodiscard]] bool grant(std::int64_t increment) {
    if (available_ + increment > kMaxWindow) return false;
    available_ += increment;
    return true;
  }
  // §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE moves every stream window by the difference; false when that
  // takes one past 2^31-1 (a FLOW_CONTROL_ERROR on the connection).
  [[nodiscard]] bool adjust(std::int64_t delta) {
    if (available_ + delta > kMaxWindow) return false;
    available_ += delta;
    return true;
  }

 private:
  std::int64_t available_;
};

// The receiver's view of one window: what the peer may still send, and the credit to return. Credit goes
// back once half the window has been consumed, so a bulk sender is never stalled waiting for an update yet
// the receiver does not send one WINDOW_UPDATE per DATA frame (each one costs a frame on the wire).
class ReceiveWindow {
 public:
  explicit ReceiveWindow(std::int64_t size = kDefaultWindow) : size_(size), available_(size) {}

  std::int64_t available() const { return available_; }
  std::int64_t size() const { return size_; }
  // A DATA frame of `n` flow-controlled bytes arrived (padding included, §6.1). False when the peer sent
  // more than the window allowed: a FLOW_CONTROL_ERROR (§6.9.1).
  [[nodiscard]] bool receive(std::int64_t n) {
    if (n > available_) return false;
    available_ -= n;
    return true;
  }
  // The application has taken `n` bytes out of its buffer: they count towards the next update.
  void release(std::int64_t n) { unreturned_ += n; }
  // The increment to send now, or 0 when it is not yet worth a frame. Calling it commits the credit.
  std::int64_t take_update() {
    if (unreturned_ == 0 || unreturned_ < size_ / 2) return 0;
    const std::int64_t increment = unreturned_;
    available_ += increment;
    unreturned_ = 0;
    return increment;
  }
  // A new window size we advertise (our SETTINGS_INITIAL_WINDOW_SIZE, or a larger connection window by a
  // WINDOW_UPDATE on stream 0): the difference is granted at once.
  void resize(std::int64_t size) {
    available_ += size - size_;
    size_ = size;
  }

 private:
  std::int64_t size_;
  std::int64_t available_;
  std::int64_t unreturned_ = 0;
};

}  // namespace endhost::http2
