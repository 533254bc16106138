// A growable receive buffer with a hard maximum: bytes arrive at the end (prepare/commit), are consumed from
// the front, and the unconsumed bytes are moved to the start only when room is needed. Unlike std::string
// it never zero-fills the space a read is about to overwrite.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace endhost::http {

class ByteBuffer {
 public:
  explicit ByteBuffer(std::size_t max_size) : max_(max_size) {}

  std::string_view view() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const noexcept { return end_ - begin_; }
  bool empty() const noexcept { return begin_ == end_; }
  void consume(std::size_t n) noexcept {
    begin_ += n < size() ? n : size();
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() noexcept { begin_ = end_ = 0; }

  // Room for at least `min` more bytes (up to `want`), or an empty span when the maximum is reached. May move
  // the unconsumed bytes: views from view() are invalid afterwards.
  std::span<char> prepare(std::size_t min = 4096, std::size_t want = 64 * 1024) {
    if (cap_ - end_ < min) {
      if (begin_ > 0) {
        std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (cap_ - end_ < min) {
        std::size_t cap = cap_ == 0 ? want : cap_ * 2;
        if (cap < end_ + min) cap = end_ + min;
        if (cap > max_) cap = max_;
        if (cap <= cap_) return {};
        auto bigger = std::make_unique_for_overwrite<char[]>(cap);
        if (end_ > 0) std::memcpy(bigger.get(), data_.get(), end_);
        data_ = std::move(bigger);
        cap_ = cap;
      }
    }
    return {data_.get() + end_, cap_ - end_};
  }
  void commit(std::size_t n) noexcept { end_ += n; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t max_;
};

}  // namespace endhost::http
