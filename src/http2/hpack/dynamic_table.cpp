#include "http2/hpack/dynamic_table.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "http2/hpack/field.hpp"

namespace endhost::http2::hpack {

void DynamicTable::set_max_size(std::uint32_t max_size) {
  max_size_ = max_size;
  while (size_ > max_size_) evict_oldest();
  // A table that shrank gives back what it can no longer use.
  if (bytes_.size() > 2 * std::size_t{max_size_}) {
    compact();
    bytes_.resize(std::max(end_, 2 * std::size_t{max_size_}));
    bytes_.shrink_to_fit();
  }
}

void DynamicTable::insert(std::string_view name, std::string_view value) {
  const std::size_t size = field_size(name, value);
  // §4.4: the name may be an existing entry's, which eviction or a slide would overwrite: copy it first.
  const char* store = bytes_.data();
  const auto inside = [&](std::string_view s) {
    return !s.empty() && s.data() >= store && s.data() < store + bytes_.size();
  };
  if (inside(name) || inside(value)) {
    const std::string copy_name(name);
    const std::string copy_value(value);
    insert(copy_name, copy_value);
    return;
  }
  while (count_ > 0 && size_ + size > max_size_) evict_oldest();
  if (size > max_size_) return;

  const std::size_t bytes = name.size() + value.size();
  make_room(bytes);
  if (!name.empty()) std::memcpy(bytes_.data() + end_, name.data(), name.size());
  if (!value.empty()) std::memcpy(bytes_.data() + end_ + name.size(), value.data(), value.size());

  if (count_ == slots_.size()) {  // the ring is full: double it, oldest first at 0
    std::vector<Slot> grown(std::max<std::size_t>(4, 2 * slots_.size()));
    for (std::size_t i = 0; i < count_; ++i) grown[i] = slot(oldest_ + i);
    slots_ = std::move(grown);
    oldest_ = 0;
  }
  slots_[(oldest_ + count_) & (slots_.size() - 1)] = {end_, static_cast<std::uint32_t>(name.size()),
                                                      static_cast<std::uint32_t>(value.size())};
  ++count_;
  end_ += bytes;
  size_ += size;
}

TableEntry DynamicTable::entry(std::size_t i) const noexcept {
  const Slot& s = slot(oldest_ + count_ - 1 - i);
  const char* p = bytes_.data() + s.offset;
  return {std::string_view(p, s.name_length), std::string_view(p + s.name_length, s.value_length)};
}

void DynamicTable::evict_oldest() noexcept {
  const Slot& s = slot(oldest_);
  size_ -= s.name_length + s.value_length + kEntryOverhead;
  begin_ += s.name_length + s.value_length;
  oldest_ = (oldest_ + 1) & (slots_.size() - 1);
  if (--count_ == 0) begin_ = end_ = oldest_ = 0;
}

void DynamicTable::make_room(std::size_t bytes) {
  if (end_ + bytes <= bytes_.size()) return;
  compact();
  if (end_ + bytes <= bytes_.size()) return;
  // Double, from 64 bytes (most connections insert a few short fields: an idle one keeps what it uses), up to
  // twice the maximum: live bytes never exceed max_size(), so at that size a slide always makes room.
  const std::size_t doubled =
      std::min(std::max<std::size_t>(64, 2 * bytes_.size()), 2 * std::size_t{max_size_});
  bytes_.resize(std::max(doubled, end_ + bytes));
}

void DynamicTable::compact() noexcept {
  if (begin_ == 0) return;
  std::memmove(bytes_.data(), bytes_.data() + begin_, end_ - begin_);
  for (std::size_t i = 0; i < count_; ++i) slots_[(oldest_ + i) & (slots_.size() - 1)].offset -= begin_;
  end_ -= begin_;
  begin_ = 0;
}

}  // namespace endhost::http2::hpack
