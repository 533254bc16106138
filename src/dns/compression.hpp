// The encoder's name-compression table (RFC 1035 §4.1.4): the offsets, within the message being written, of
// names already written, so later names can end in a pointer to them. Fixed size and stack-allocated; when
// full, later names are simply written longer. It refers to the message bytes, not to the Name objects, so
// the names written need not outlive it. One table per message; rewinding the writer rewinds the table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/limits.hpp"
#include "dns/name.hpp"

namespace endhost::dns {

class CompressionTable {
 public:
  struct Entry {
    std::uint16_t offset;    // where the name (or suffix) starts in the message
    std::uint8_t wire_size;  // its uncompressed size: a cheap first filter
  };

  std::size_t size() const { return count_; }
  void truncate(std::size_t n) { count_ = n < count_ ? n : count_; }
  void clear() { count_ = 0; }

  // Offset of a name equal to `name` (case-insensitive) already in `message`, or -1.
  int find(std::span<const std::uint8_t> message, NameView name) const;
  void add(std::size_t offset, std::size_t wire_size) {
    if (count_ < entries_.size() && offset <= kMaxCompressionOffset) {
      entries_[count_++] = Entry{static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(wire_size)};
    }
  }

 private:
  std::array<Entry, kCompressionTableSize> entries_;
  std::size_t count_ = 0;
};

}  // namespace endhost::dns
