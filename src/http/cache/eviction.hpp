// Eviction policies over objects of different sizes with a byte budget: S3-FIFO (Yang et al., SOSP 2023),
// the store's default, and plain LRU for comparison. S3-FIFO keeps new objects in a small FIFO (10% of the
// bytes) and promotes only those hit again to the main FIFO, so a scan of one-time objects cannot flush the
// hot set as it does under LRU; evicted small-queue keys are remembered in a ghost FIFO so a quick return
// goes straight to main. Sans-I/O and single-threaded: the store serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace endhost::http::cache {

class EvictionPolicy {
 public:
  using Id = std::uint64_t;
  virtual ~EvictionPolicy() = default;

  // Adds object `id` (unique while present) of `size` bytes; `ghost_key` identifies its content across
  // re-insertions (a hash of its cache key). Appends to `victims` the ids to remove so the total fits the
  // capacity; that may include `id` itself when it is larger than the whole capacity.
  virtual void insert(Id id, std::uint64_t ghost_key, std::uint64_t size, std::vector<Id>& victims) = 0;
  // A hit on a present object.
  virtual void touch(Id id) = 0;
  // Removes a present object for another reason (replaced, purged, invalidated). Unknown ids are ignored.
  virtual void erase(Id id) = 0;

  virtual std::uint64_t bytes() const = 0;
  virtual std::size_t count() const = 0;
  virtual std::uint64_t capacity() const = 0;
  virtual std::string_view name() const = 0;
};

enum class EvictionKind : std::uint8_t { s3fifo, lru };

std::unique_ptr<EvictionPolicy> make_eviction_policy(EvictionKind kind, std::uint64_t capacity_bytes);

}  // namespace endhost::http::cache
