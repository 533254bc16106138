// StreamTable: a map from stream id to T, open-addressed (linear probing, backward-shift erase) in one
// array, so that opening and closing a stream allocates nothing once the table has grown to the
// connection's concurrency (a std::unordered_map allocates a node per stream). Id 0 marks a free slot: it
// is never a stream's (RFC 9113 §5.1.1). Inserting may move the values (keep them behind a pointer when
// references must survive); erasing moves the slots after the erased one. Iteration order is unspecified,
// and the table must not be changed while it is iterated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace endhost::http2 {

template <class T>
class StreamTable {
 public:
  struct Slot {
    std::uint32_t id = 0;
    T value{};
  };

  StreamTable() = default;
  StreamTable(const StreamTable&) = delete;
  StreamTable& operator=(const StreamTable&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The value of `id`, or nullptr.
  T* find(std::uint32_t id) {
    if (size_ == 0 || id == 0) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      if (slots_[i].id == id) return &slots_[i].value;
      if (slots_[i].id == 0) return nullptr;
    }
  }
  const T* find(std::uint32_t id) const { return const_cast<StreamTable*>(this)->find(id); }
  bool contains(std::uint32_t id) const { return find(id) != nullptr; }

  // The value of `id`, value-initialized if it was not there. `id` must not be 0.
  T& operator[](std::uint32_t id) {
    if (T* v = find(id)) return *v;
    if ((size_ + 1) * 2 > capacity()) grow();
    std::size_t i = home(id);
    while (slots_[i].id != 0) i = (i + 1) & mask_;
    slots_[i].id = id;
    ++size_;
    return slots_[i].value;
  }

  // Removes `id`: true if it was there.
  bool erase(std::uint32_t id) {
    if (size_ == 0 || id == 0) return false;
    std::size_t i = home(id);
    while (slots_[i].id != id) {
      if (slots_[i].id == 0) return false;
      i = (i + 1) & mask_;
    }
    // Backward shift: move up each following entry whose home is not between the hole and itself.
    for (std::size_t j = (i + 1) & mask_; slots_[j].id != 0; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].id);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        slots_[i].id = slots_[j].id;
        slots_[i].value = std::move(slots_[j].value);
        i = j;
      }
    }
    slots_[i].id = 0;
    slots_[i].value = T{};
    if (--size_ == 0 && capacity() > kKeptCapacity) release();  // a burst's table goes with it
    return true;
  }

  void clear() { release(); }

  class iterator {
   public:
    iterator(Slot* at, Slot* end) : at_(at), end_(end) { skip(); }
    Slot& operator*() const { return *at_; }
    Slot* operator->() const { return at_; }
    iterator& operator++() {
      ++at_;
      skip();
      return *this;
    }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    void skip() {
      while (at_ != end_ && at_->id == 0) ++at_;
    }
    Slot* at_;
    Slot* end_;
  };
  iterator begin() { return {slots_.get(), slots_.get() + capacity()}; }
  iterator end() { return {slots_.get() + capacity(), slots_.get() + capacity()}; }
  iterator begin() const { return const_cast<StreamTable*>(this)->begin(); }
  iterator end() const { return const_cast<StreamTable*>(this)->end(); }

 private:
  static constexpr std::size_t kFirstCapacity = 8;
  static constexpr std::size_t kKeptCapacity = 64;  // slots an emptied table keeps

  std::size_t capacity() const { return slots_ ? mask_ + 1 : 0; }
  // Fibonacci hashing: client ids are odd and consecutive, so their low bits alone would leave half unused.
  std::size_t home(std::uint32_t id) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ull) >> 32) & mask_;
  }
  void release() {
    slots_.reset();
    mask_ = 0;
    size_ = 0;
  }
  void grow() {
    const std::size_t old_capacity = capacity();
    std::unique_ptr<Slot[]> old = std::move(slots_);
    const std::size_t n = old_capacity == 0 ? kFirstCapacity : old_capacity * 2;
    slots_ = std::make_unique<Slot[]>(n);
    mask_ = n - 1;
    for (std::size_t k = 0; k < old_capacity; ++k) {
      if (old[k].id == 0) continue;
      std::size_t i = home(old[k].id);
      while (slots_[i].id != 0) i = (i + 1) & mask_;
      slots_[i].id = old[k].id;
      slots_[i].value = std::move(old[k].value);
    }
  }

  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace endhost::http2
