// Bounds-checked writing of a DNS message into a caller-supplied buffer. Writes past the limit set a sticky
// failure flag instead of throwing, so a caller writes a whole record and checks ok() once; mark()/rewind()
// undo a partly written RRset, which is how truncation drops whole RRsets (RFC 2181 §9). No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/compression.hpp"
#include "dns/name.hpp"

namespace endhost::dns {

class WireWriter {
 public:
  // `buffer` must outlive the writer. The writer never writes at or beyond `limit` (≤ buffer.size()).
  explicit WireWriter(std::span<std::uint8_t> buffer) : buf_(buffer), limit_(buffer.size()) {}

  bool ok() const { return ok_; }
  std::size_t size() const { return pos_; }
  std::size_t limit() const { return limit_; }
  // Lowering the limit below size() makes the writer fail at the next write.
  void set_limit(std::size_t limit) { limit_ = limit < buf_.size() ? limit : buf_.size(); }
  std::span<const std::uint8_t> written() const { return buf_.first(pos_); }

  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void bytes(std::span<const std::uint8_t> b);
  // Overwrites two octets already written (RDLENGTH and section counts).
  void patch_u16(std::size_t at, std::uint16_t v);

  // Writes `name`. With a table, ends it in a pointer to the longest suffix already written and records the
  // new suffixes; without one, writes it in full (RFC 3597 §4, RFC 2782 SRV targets).
  void name(NameView name, CompressionTable* table);

  struct Mark {
    std::size_t pos;
    std::size_t table_size;
  };
  Mark mark(const CompressionTable* table) const { return {pos_, table ? table->size() : 0}; }
  // Forgets everything written after `m` (and the compression entries pointing there) and clears failure.
  void rewind(Mark m, CompressionTable* table) {
    pos_ = m.pos;
    if (table) table->truncate(m.table_size);
    ok_ = true;
  }

 private:
  bool room(std::size_t n) {
    if (!ok_ || pos_ > limit_ || limit_ - pos_ < n) return ok_ = false;
    return true;
  }
  std::span<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  std::size_t limit_;
  bool ok_ = true;
};

}  // namespace endhost::dns
