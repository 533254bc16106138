// HPACK's dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields bounded by size (name + value + 32 each),
// newest first in the index space. One byte store holds every name and value; a ring holds the entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http2/hpack/static_table.hpp"

namespace endhost::http2::hpack {

class DynamicTable {
 public:
  // The initial maximum is SETTINGS_HEADER_TABLE_SIZE's initial value (RFC 9113 §6.5.2). Memory is taken
  // as entries arrive, not up front.
  explicit DynamicTable(std::uint32_t max_size = 4096) : max_size_(max_size) {}

  // §4.1: the sum of the entries' sizes.
  std::size_t size() const noexcept { return size_; }
  std::uint32_t max_size() const noexcept { return max_size_; }
  std::size_t count() const noexcept { return count_; }

  // §4.3: a new maximum; evicts the oldest entries until size() fits.
  void set_max_size(std::uint32_t max_size);

  // §4.4: evicts the oldest entries until the new one fits, then adds it as the newest. An entry larger
  // than max_size() empties the table and is not added. `name` and `value` may point into this table.
  void insert(std::string_view name, std::string_view value);

  // Entry `i`, 0 the newest (HPACK index kStaticTableSize + 1 + i). The views stay valid until the next
  // insert() or set_max_size().
  TableEntry entry(std::size_t i) const noexcept;

 private:
  struct Slot {
    std::size_t offset;  // into bytes_: the name, then the value
    std::uint32_t name_length;
    std::uint32_t value_length;
  };

  void evict_oldest() noexcept;
  void make_room(std::size_t bytes);
  void compact() noexcept;
  const Slot& slot(std::size_t ring_index) const noexcept { return slots_[ring_index & (slots_.size() - 1)]; }

  std::uint32_t max_size_;
  std::size_t size_ = 0;
  // The entries, oldest at oldest_; a ring whose length is a power of two, grown when full.
  std::vector<Slot> slots_;
  std::size_t oldest_ = 0;
  std::size_t count_ = 0;
  // The byte store: [begin_, end_) holds the entries' bytes, oldest first and contiguous. Eviction moves
  // begin_; an insert that reaches the end first slides the live bytes to the front. The store grows to
  // twice max_size(), so a slide happens at most once per max_size() bytes inserted.
  std::vector<char> bytes_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace endhost::http2::hpack
