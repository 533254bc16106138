#include "http/cache/eviction.hpp"

#include <algorithm>
#include <deque>
#include <list>
#include <unordered_map>
#include <unordered_set>

namespace endhost::http::cache {

namespace {

class Lru final : public EvictionPolicy {
 public:
  explicit Lru(std::uint64_t capacity) : capacity_(capacity) {}

  void insert(Id id, std::uint64_t, std::uint64_t size, std::vector<Id>& victims) override {
    order_.push_front({id, size});
    map_[id] = order_.begin();
    bytes_ += size;
    while (bytes_ > capacity_ && !order_.empty()) {
      const Node victim = order_.back();
      order_.pop_back();
      map_.erase(victim.id);
      bytes_ -= victim.size;
      victims.push_back(victim.id);
    }
  }
  void touch(Id id) override {
    auto it = map_.find(id);
    if (it != map_.end()) order_.splice(order_.begin(), order_, it->second);
  }
  void erase(Id id) override {
    auto it = map_.find(id);
    if (it == map_.end()) return;
    bytes_ -= it->second->size;
    order_.erase(it->second);
    map_.erase(it);
  }
  std::uint64_t bytes() const override { return bytes_; }
  std::size_t count() const override { return map_.size(); }
  std::uint64_t capacity() const override { return capacity_; }
  std::string_view name() const override { return "lru"; }

 private:
  struct Node {
    Id id;
    std::uint64_t size;
  };
  std::uint64_t capacity_;
  std::uint64_t bytes_ = 0;
  std::list<Node> order_;  // most recent first
  std::unordered_map<Id, std::list<Node>::iterator> map_;
};

class S3Fifo final : public EvictionPolicy {
 public:
  explicit S3Fifo(std::uint64_t capacity)
      : capacity_(capacity), small_target_(std::max<std::uint64_t>(capacity / 10, 1)) {}

  void insert(Id id, std::uint64_t ghost_key, std::uint64_t size, std::vector<Id>& victims) override {
    if (size > capacity_) {
      victims.push_back(id);
      return;
    }
    while (small_bytes_ + main_bytes_ + size > capacity_ && count() > 0) evict(victims);
    Node node{id, ghost_key, size, 0, false};
    if (ghost_set_.erase(ghost_key) > 0) {
      // Seen recently and evicted before its second hit: it belongs to the working set.
      node.in_main = true;
      main_.push_back(id);
      main_bytes_ += size;
    } else {
      small_.push_back(id);
      small_bytes_ += size;
    }
    nodes_.emplace(id, node);
  }

  void touch(Id id) override {
    auto it = nodes_.find(id);
    if (it != nodes_.end() && it->second.freq < 3) ++it->second.freq;  // two bits, capped at 3
  }

  void erase(Id id) override {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return;
    // The id stays in its queue and is skipped when it reaches the tail (lazy deletion keeps erase O(1)).
    (it->second.in_main ? main_bytes_ : small_bytes_) -= it->second.size;
    nodes_.erase(it);
    // Without evictions (a cache that never fills) the dead ids would pile up: compact now and then.
    if (small_.size() + main_.size() > 2 * nodes_.size() + 1024) compact();
  }

  std::uint64_t bytes() const override { return small_bytes_ + main_bytes_; }
  std::size_t count() const override { return nodes_.size(); }
  std::uint64_t capacity() const override { return capacity_; }
  std::string_view name() const override { return "s3fifo"; }

 private:
  struct Node {
    Id id;
    std::uint64_t ghost_key;
    std::uint64_t size;
    std::uint8_t freq;
    bool in_main;
  };

  void evict(std::vector<Id>& victims) {
    if (small_bytes_ >= small_target_ || main_bytes_ == 0) {
      if (evict_small(victims)) return;
    }
    evict_main(victims);
  }

  // Pops the small queue's tail: promoted to main when it was hit while there, else evicted to the ghost.
  bool evict_small(std::vector<Id>& victims) {
    while (!small_.empty()) {
      const Id id = small_.front();
      small_.pop_front();
      auto it = nodes_.find(id);
      if (it == nodes_.end() || it->second.in_main) continue;  // erased meanwhile
      Node& n = it->second;
      small_bytes_ -= n.size;
      if (n.freq >= 1) {
        n.in_main = true;
        n.freq = 0;
        main_.push_back(id);
        main_bytes_ += n.size;
        continue;
      }
      remember_ghost(n.ghost_key);
      victims.push_back(id);
      nodes_.erase(it);
      return true;
    }
    return false;
  }

  // Pops the main queue's tail: reinserted with one less frequency while it has any, else evicted.
  void evict_main(std::vector<Id>& victims) {
    while (!main_.empty()) {
      const Id id = main_.front();
      main_.pop_front();
      auto it = nodes_.find(id);
      if (it == nodes_.end() || !it->second.in_main) continue;
      Node& n = it->second;
      if (n.freq > 0) {
        --n.freq;
        main_.push_back(id);
        continue;
      }
      main_bytes_ -= n.size;
      victims.push_back(id);
      nodes_.erase(it);
      return;
    }
    // Main was empty (everything lives in small): evict from there.
    evict_small(victims);
  }

  void compact() {
    auto keep = [&](std::deque<Id>& q, bool main) {
      std::erase_if(q, [&](Id id) {
        auto it = nodes_.find(id);
        return it == nodes_.end() || it->second.in_main != main;
      });
    };
    keep(small_, false);
    keep(main_, true);
  }

  // The ghost FIFO holds as many keys as there are objects (the paper sizes it like the main queue).
  void remember_ghost(std::uint64_t key) {
    if (!ghost_set_.insert(key).second) return;
    ghost_.push_back(key);
    const std::size_t limit = std::max<std::size_t>(nodes_.size(), 1024);
    while (ghost_.size() > limit) {
      ghost_set_.erase(ghost_.front());
      ghost_.pop_front();
    }
  }

  std::uint64_t capacity_;
  std::uint64_t small_target_;
  std::uint64_t small_bytes_ = 0;
  std::uint64_t main_bytes_ = 0;
  std::deque<Id> small_;  // front is the tail (oldest)
  std::deque<Id> main_;
  std::unordered_map<Id, Node> nodes_;
  std::deque<std::uint64_t> ghost_;
  std::unordered_set<std::uint64_t> ghost_set_;
};

}  // namespace

std::unique_ptr<EvictionPolicy> make_eviction_policy(EvictionKind kind, std::uint64_t capacity_bytes) {
  if (kind == EvictionKind::lru) return std::make_unique<Lru>(capacity_bytes);
  return std::make_unique<S3Fifo>(capacity_bytes);
}

}  // namespace endhost::http::cache
