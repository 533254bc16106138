// Work that no listener counts but a graceful drain must wait for: detached coroutines started on a
// request's behalf that outlive it (the proxy's background revalidations). Each such coroutine holds a
// WorkToken for its whole life — passed as a parameter, so the coroutine frame owns it and its destruction,
// even by an io_context that shuts down, gives the count back.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace endhost::core {

class WorkCounter;

// One unit of in-flight background work; move-only. An empty token (default, or moved from) counts nothing.
class WorkToken {
 public:
  WorkToken() = default;
  WorkToken(WorkToken&& other) noexcept : counter_(std::exchange(other.counter_, nullptr)) {}
  WorkToken& operator=(WorkToken&& other) noexcept {
    if (this != &other) {
      release();
      counter_ = std::exchange(other.counter_, nullptr);
    }
    return *this;
  }
  WorkToken(const WorkToken&) = delete;
  WorkToken& operator=(const WorkToken&) = delete;
  ~WorkToken() { release(); }

 private:
  friend class WorkCounter;
  explicit WorkToken(std::atomic<std::size_t>* counter) : counter_(counter) {}
  void release() {
    if (counter_) counter_->fetch_sub(1, std::memory_order_acq_rel);
    counter_ = nullptr;
  }
  std::atomic<std::size_t>* counter_ = nullptr;
};

// Thread-safe. Must outlive every token it handed out.
class WorkCounter {
 public:
  WorkToken begin() {
    count_.fetch_add(1, std::memory_order_acq_rel);
    return WorkToken(&count_);
  }
  std::size_t in_flight() const { return count_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::size_t> count_{0};
};

}  // namespace endhost::core
