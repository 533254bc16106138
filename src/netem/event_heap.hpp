// EventHeap: the emulator's timer structure. One slot per link direction, holding the instant that direction
// next has work (LinkQueue::next_event()) or nothing; top() is the earliest, ties to the lowest slot so a run
// is the same every time. An indexed binary heap: set() moves a slot up or down in O(log n) and never
// allocates after construction, since there are never more entries than slots.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "netem/time.hpp"

namespace endhost::netem {

class EventHeap {
 public:
  explicit EventHeap(std::size_t slots) : key_(slots), pos_(slots, npos) { heap_.reserve(slots); }

  void set(std::size_t slot, std::optional<TimePoint> when) {
    if (!when) {
      remove(slot);
      return;
    }
    key_[slot] = *when;
    if (pos_[slot] == npos) {
      pos_[slot] = heap_.size();
      heap_.push_back(slot);
    }
    up(pos_[slot]);
    down(pos_[slot]);
  }

  // The earliest instant and its slot.
  std::optional<std::pair<TimePoint, std::size_t>> top() const {
    if (heap_.empty()) return std::nullopt;
    return std::pair{key_[heap_[0]], heap_[0]};
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  bool less(std::size_t i, std::size_t j) const {
    const std::size_t a = heap_[i], b = heap_[j];
    return key_[a] != key_[b] ? key_[a] < key_[b] : a < b;
  }
  void swap_at(std::size_t i, std::size_t j) {
    std::swap(heap_[i], heap_[j]);
    pos_[heap_[i]] = i;
    pos_[heap_[j]] = j;
  }
  void up(std::size_t i) {
    while (i > 0 && less(i, (i - 1) / 2)) {
      swap_at(i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  }
  void down(std::size_t i) {
    for (;;) {
      std::size_t m = i;
      const std::size_t l = 2 * i + 1, r = 2 * i + 2;
      if (l < heap_.size() && less(l, m)) m = l;
      if (r < heap_.size() && less(r, m)) m = r;
      if (m == i) return;
      swap_at(i, m);
      i = m;
    }
  }
  void remove(std::size_t slot) {
    const std::size_t i = pos_[slot];
    if (i == npos) return;
    const std::size_t last = heap_.size() - 1;
    if (i != last) swap_at(i, last);
    heap_.pop_back();
    pos_[slot] = npos;
    if (i < heap_.size()) {
      up(i);
      down(i);
    }
  }

  std::vector<TimePoint> key_;
  std::vector<std::size_t> pos_;  // index in heap_, or npos
  std::vector<std::size_t> heap_;
};

}  // namespace endhost::netem
