// A receive buffer with a hard maximum, for every session that reads a byte stream: bytes arrive at the end
// (read_space, then commit), are parsed in place (readable) and consumed from the front; the unconsumed bytes
// move to the start (compact) only when the end has no room. It never grows past its maximum, so a peer
// cannot make it hold more than the protocol's limit, and it never zero-fills space a read will overwrite.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::core {

// read_space() could not find room: the buffer holds `max` unconsumed bytes already. The caller answers
// with its protocol's "too large" error.
struct BufferFull {
  std::size_t max = 0;
};

class ByteBuffer {
 public:
  // The first allocation when the buffer grows from nothing (smaller when the maximum is smaller).
  static constexpr std::size_t kFirstAllocation = 16 * 1024;
  // What read_space() asks for when the caller does not say: a read smaller than this is a wasted wakeup.
  static constexpr std::size_t kMinRead = 4096;

  explicit ByteBuffer(std::size_t max_size, std::size_t first_allocation = kFirstAllocation)
      : max_(max_size), first_(first_allocation) {}

  ByteBuffer(ByteBuffer&&) noexcept = default;
  ByteBuffer& operator=(ByteBuffer&&) noexcept = default;

  std::size_t max_size() const noexcept { return max_; }
  std::size_t capacity() const noexcept { return cap_; }

  // The received, unconsumed bytes. Valid until the next read_space(), compact() or reserve().
  std::string_view readable() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
  // The same bytes, for binary protocols.
  std::span<const std::uint8_t> readable_bytes() const noexcept {
    return {reinterpret_cast<const std::uint8_t*>(data_.get()) + begin_, end_ - begin_};
  }
  std::size_t size() const noexcept { return end_ - begin_; }
  bool empty() const noexcept { return begin_ == end_; }

  // Consuming more than size() consumes everything.
  void consume(std::size_t n) noexcept {
    begin_ += n < size() ? n : size();
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() noexcept { begin_ = end_ = 0; }

  // Moves the unconsumed bytes to the start of the storage.
  void compact() noexcept {
    if (begin_ == 0) return;
    if (end_ > begin_) std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }

  // Allocates `n` bytes of storage now (at most the maximum), so that reads up to it never allocate: for
  // buffers that are pooled and reused on a hot path.
  void reserve(std::size_t n) {
    if (n > max_) n = max_;
    if (n > cap_) reallocate(n);
  }

  // Room to read into after the unconsumed bytes: at least `min` bytes where the maximum allows, otherwise
  // whatever is left below it; all of the room there is, not just `min`. Compacts first and grows (doubling,
  // never past the maximum) only when the end has less than `min`. Fails only when the buffer is full.
  // Invalidates readable()'s views when it moves bytes.
  Expected<std::span<char>, BufferFull> read_space(std::size_t min = kMinRead) {
    if (cap_ - end_ < min) {
      compact();
      if (cap_ - end_ < min && cap_ < max_) {
        std::size_t cap = cap_ == 0 ? first_ : cap_ * 2;
        if (cap < end_ + min) cap = end_ + min;
        if (cap > max_) cap = max_;
        reallocate(cap);
      }
      if (end_ == cap_) return Unexpected(BufferFull{max_});
    }
    return std::span<char>(data_.get() + end_, cap_ - end_);
  }
  // `n` bytes of the last read_space() were filled.
  void commit(std::size_t n) noexcept {
    assert(n <= cap_ - end_);
    end_ += n;
  }

 private:
  void reallocate(std::size_t cap) {
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (end_ > begin_) std::memcpy(bigger.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    data_ = std::move(bigger);
    cap_ = cap;
  }

  std::unique_ptr<char[]> data_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t max_;
  std::size_t first_;
};

}  // namespace endhost::core
